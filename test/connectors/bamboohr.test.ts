import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BamboohrConfigSchema, bamboohrBaseUrl } from '../../connectors/bamboohr/config';
import { bamboohrErrorMessage } from '../../connectors/bamboohr/errors';
import { createStatusResolver } from '../../connectors/bamboohr/mappers/status';
import { createBamboohrMappers } from '../../connectors/bamboohr/mappers/to-employee';
import { createBamboohrSource } from '../../connectors/bamboohr/source';
import { createHttpClient } from '../../io/http';
import type { SourceDeps } from '../../connectors/sdk/source';
import { BAMBOOHR_API_KEY, BAMBOOHR_COMPANY, BamboohrFake } from '../fakes/bamboohr/server';
import { collect, describeSourceConformance, testSourceDeps } from '../support/source-conformance';
import { failureOf } from '../support/failure-of';

const env = { BAMBOOHR_API_KEY, BAMBOOHR_WRONG_KEY: 'not-the-key-4567' };
const deps = testSourceDeps(env);

function bamboohr(fake: BamboohrFake, overrides: Record<string, unknown> = {}, sourceDeps: SourceDeps = deps) {
  const config = BamboohrConfigSchema.parse({
    type: 'bamboohr',
    companyDomain: BAMBOOHR_COMPANY,
    baseUrl: fake.origin,
    apiKey: { env: 'BAMBOOHR_API_KEY' },
    pageSize: 7,
    ...overrides,
  });
  return createBamboohrSource(config, sourceDeps);
}

const records = async (source: ReturnType<typeof bamboohr>) => (await collect(source)).flatMap((page) => page.records);

for (const roster of ['custom-report', 'directory'] as const) {
  describeSourceConformance({
    name: `BambooHR (${roster})`,
    startFake: () => BamboohrFake.start(),
    createSource: (fake, _deps, credentials) =>
      bamboohr(fake, { roster, ...(credentials === 'wrong' ? { apiKey: { env: 'BAMBOOHR_WRONG_KEY' } } : {}) }),
    secretValues: [BAMBOOHR_API_KEY, env.BAMBOOHR_WRONG_KEY],
    rosterSize: 23,
    env,
  });
}

describe('BambooHR mapping and vendor behaviour', () => {
  let fake: BamboohrFake;
  beforeAll(async () => {
    fake = await BamboohrFake.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.seed(7);
    fake.http.clearFaults();
    fake.http.requests.length = 0;
    fake.answers.length = 0;
    fake.rateLimitStatus = 503;
    fake.emptyDate = '';
    fake.hiddenFields = new Set();
    fake.directorySharing = true;
    fake.notInDirectory = new Set();
    fake.custom = new Map();
  });

  it('maps a custom-report row field by field, keyed by the internal id and not the employee number', async () => {
    const all = await records(bamboohr(fake));
    const person = fake.people[3]!;
    const manager = fake.people[0]!;
    expect(person).toMatchObject({ status: 'active', preferredName: 'Eds', managerId: manager.id });
    expect(all.find((record) => record.sourceId === person.id)).toEqual({
      sourceId: person.id,
      employeeNumber: person.employeeNumber,
      firstName: person.firstName,
      lastName: person.lastName,
      preferredName: 'Eds',
      displayName: `Eds ${person.lastName}`,
      workEmail: person.email,
      status: 'active',
      rawStatus: 'Active',
      hireDate: person.hireDate,
      jobTitle: person.jobTitle,
      employmentType: person.employmentType,
      department: person.department,
      division: person.division,
      location: person.location,
      managerSourceId: manager.id,
      managerEmail: manager.email,
      updatedAt: person.updatedAt.replace('Z', '+00:00'),
    });
    // The internal id and the company's "Employee #" differ for everyone; sourceId is always the id.
    expect(all.map((record) => record.sourceId)).toEqual(fake.people.map((p) => p.id));
    for (const record of all) {
      const source = fake.people.find((p) => p.id === record.sourceId)!;
      expect(record.employeeNumber).toBe(source.employeeNumber);
      expect(record.sourceId).not.toBe(record.employeeNumber);
    }
  });

  it('maps leave, leavers and future hires from the status and the employment status', async () => {
    const all = await records(bamboohr(fake));
    const byStatus = (status: string) => fake.people.find((p) => p.status === status)!;
    const view = (id: string) => {
      const record = all.find((candidate) => candidate.sourceId === id)!;
      return {
        status: record.status,
        rawStatus: record.rawStatus,
        employmentType: record.employmentType,
        hireDate: record.hireDate,
        terminationDate: record.terminationDate,
      };
    };
    expect(view(byStatus('leave').id)).toEqual({
      status: 'leave',
      rawStatus: 'Leave of Absence',
      employmentType: undefined,
      hireDate: byStatus('leave').hireDate,
      terminationDate: undefined,
    });
    expect(view(byStatus('inactive').id)).toEqual({
      status: 'inactive',
      rawStatus: 'Terminated',
      employmentType: undefined,
      hireDate: byStatus('inactive').hireDate,
      terminationDate: '2026-06-30',
    });
    // The hazard: BambooHR shows a future hire as Inactive; it must never become an inactive account.
    const hire = byStatus('pending');
    expect(view(hire.id)).toEqual({
      status: 'pending',
      rawStatus: 'Inactive',
      employmentType: hire.employmentType,
      hireDate: fake.hireDateOf(hire),
      terminationDate: undefined,
    });
    expect(fake.hireDateOf(hire) > new Date().toISOString().slice(0, 10)).toBe(true);
    // onlyCurrent=false: without it the report hides future-dated values, the hire date among them.
    const reportCalls = fake.http.requestsTo(/\/reports\/custom$/);
    expect(reportCalls.map((request) => request.query.get('onlyCurrent'))).toEqual(['false']);
  });

  it('tells a future hire from a leaver only by the dates', () => {
    const resolve = createStatusResolver({}, '2026-07-01');
    expect(resolve({ status: 'Inactive', hireDate: '2026-08-01' }).status).toBe('pending');
    expect(resolve({ status: 'Inactive', hireDate: '2026-08-01', terminationDate: '2026-06-30' }).status).toBe(
      'inactive',
    );
    expect(resolve({ status: 'Inactive', hireDate: '2026-07-01' }).status).toBe('inactive');
    expect(resolve({ status: 'Inactive' }).status).toBe('inactive');
    expect(resolve({ status: 'Inactive', employmentStatus: 'Terminated', hireDate: '2027-01-01' }).status).toBe(
      'inactive',
    );
    expect(resolve({ status: 'Active', hireDate: '2027-01-01' }).status).toBe('active');
    // Unknown words are rejected downstream, never guessed.
    expect(resolve({ status: 'Suspended', employmentStatus: 'Full-Time' }).status).toBeUndefined();
    expect(
      createStatusResolver({ Sabbatical: 'leave' }, '2026-07-01')({ status: 'Active', employmentStatus: 'Sabbatical' }),
    ).toEqual({ status: 'leave', rawStatus: 'Sabbatical', employmentType: undefined });
  });

  it('reads "0000-00-00" empty dates of older accounts as no date', async () => {
    fake.emptyDate = '0000-00-00';
    const pages = await collect(bamboohr(fake));
    expect(pages.flatMap((page) => page.rejected)).toEqual([]);
    const all = pages.flatMap((page) => page.records);
    const active = all.find((record) => record.sourceId === fake.people[0]!.id)!;
    expect(active.terminationDate).toBeUndefined();
    expect(active.hireDate).toBe(fake.people[0]!.hireDate);
    const hire = fake.people.find((p) => p.status === 'pending')!;
    expect(all.find((record) => record.sourceId === hire.id)!.status).toBe('pending');

    const config = BamboohrConfigSchema.parse({ type: 'bamboohr', companyDomain: 'acme', apiKey: { env: 'KEY' } });
    const row = { id: '9', status: 'Inactive', hireDate: '0000-00-00', terminationDate: '0000-00-00' };
    expect(createBamboohrMappers(config, '2026-07-01').fromReport(row, '9')).toEqual({
      ok: true,
      employee: { sourceId: '9', status: 'inactive', rawStatus: 'Inactive' },
    });
  });

  it('serves the same roster under the company host and the legacy gateway prefix', async () => {
    const company = await records(bamboohr(fake, { host: 'company' }));
    const companyPaths = new Set(fake.http.requests.map((request) => request.path));
    fake.http.requests.length = 0;
    const gateway = await records(bamboohr(fake, { host: 'gateway' }));
    const gatewayPaths = new Set(fake.http.requests.map((request) => request.path));
    expect(gateway).toEqual(company);
    expect(company).toHaveLength(7);
    expect([...companyPaths].sort()).toEqual(['/api/v1/employees', '/api/v1/reports/custom']);
    expect([...gatewayPaths].sort()).toEqual([
      `/api/gateway.php/${BAMBOOHR_COMPANY}/v1/employees`,
      `/api/gateway.php/${BAMBOOHR_COMPANY}/v1/reports/custom`,
    ]);
  });

  it("defaults to BambooHR's real hosts for both prefixes", () => {
    const parse = (extra: Record<string, unknown>) =>
      BamboohrConfigSchema.parse({ type: 'bamboohr', companyDomain: 'acme', apiKey: { env: 'KEY' }, ...extra });
    expect(bamboohrBaseUrl(parse({}))).toBe('https://acme.bamboohr.com/api/v1');
    expect(bamboohrBaseUrl(parse({ host: 'gateway' }))).toBe('https://api.bamboohr.com/api/gateway.php/acme/v1');
    expect(parse({})).toMatchObject({ host: 'company', roster: 'custom-report', pageSize: 50 });
    expect(() => parse({ pageSize: 101 })).toThrow();
    expect(() => parse({ companyDomain: 'acme.bamboohr.com' })).toThrow();
  });

  it('pages the list by cursor, sorted by id, with the configured page size', async () => {
    const pages = await collect(bamboohr(fake, { pageSize: 3 }));
    expect(pages.map((page) => page.records.length)).toEqual([3, 3, 1]);
    const listCalls = fake.http.requestsTo(/\/v1\/employees$/);
    expect(listCalls.map((request) => request.query.get('page[limit]'))).toEqual(['3', '3', '3']);
    expect(listCalls.map((request) => request.query.get('sort'))).toEqual(['employeeId', 'employeeId', 'employeeId']);
    expect(listCalls[0]!.query.has('page[after]')).toBe(false);
    expect(listCalls[1]!.query.get('page[after]')).toBeTruthy();
    // Each page's report asks for exactly that page's people.
    const reportBodies = fake.http.requestsTo(/\/reports\/custom$/).map((request) => request.json);
    expect(reportBodies[0]).toMatchObject({ filters: { employeeIds: fake.people.slice(0, 3).map((p) => p.id) } });
  });

  it('never sends a custom report BambooHR would read as XML: Content-Type is exactly application/json', async () => {
    await records(bamboohr(fake));
    const reportCalls = fake.http.requestsTo(/\/reports\/custom$/);
    expect(reportCalls.length).toBeGreaterThan(0);
    for (const request of reportCalls) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.query.get('format')).toBe('JSON');
    }
    expect(fake.answers.filter((answer) => answer.status >= 400)).toEqual([]);

    // The fake does refuse the request a charset would make.
    const refused = await fetch(`${fake.origin}/api/v1/reports/custom?format=JSON`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${BAMBOOHR_API_KEY}:x`).toString('base64')}`,
        'content-type': 'application/json; charset=UTF-8',
      },
      body: JSON.stringify({ fields: ['id'] }),
    });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('x-bamboohr-error-message')).toBe('Malformed XML');
  });

  it('reads configured custom fields from the report', async () => {
    fake.custom.set(fake.people[1]!.id, { '4417': 'CC-North' });
    const all = await records(bamboohr(fake, { customFields: { costCenter: '4417' } }));
    expect(all[1]!.customFields).toEqual({ costCenter: 'CC-North' });
    expect(all[0]!.customFields).toBeUndefined();
    const body = fake.http.requestsTo(/\/reports\/custom$/)[0]!.json as { fields: string[] };
    expect(body.fields).toContain('4417');
  });

  it('leaves out fields the report silently omits, and rejects rows left without a status', async () => {
    fake.hiddenFields = new Set(['workEmail', 'terminationDate']);
    const all = await records(bamboohr(fake));
    expect(all).toHaveLength(7);
    expect(all.every((record) => record.workEmail === undefined && record.terminationDate === undefined)).toBe(true);

    fake.hiddenFields = new Set(['status', 'employmentHistoryStatus']);
    const [page] = await collect(bamboohr(fake, { pageSize: 2 }));
    expect(page!.records).toEqual([]);
    expect(page!.rejected).toEqual([
      { row: 'employee 4001', field: 'status', reason: 'is required' },
      { row: 'employee 4002', field: 'status', reason: 'is required' },
    ]);
  });

  it('rejects, by id, listed people the custom report did not return', async () => {
    fake.http.injectFault({
      times: 1,
      path: /\/reports\/custom$/,
      response: { status: 200, json: { title: 'rosterflow roster', fields: [], employees: [] } },
    });
    const [first, ...rest] = await collect(bamboohr(fake, { pageSize: 2 }));
    expect(first!.records).toEqual([]);
    expect(first!.rejected).toEqual([
      { row: 'employee 4001', field: 'record', reason: 'is missing from the custom report' },
      { row: 'employee 4002', field: 'record', reason: 'is missing from the custom report' },
    ]);
    expect(rest.flatMap((page) => page.records)).toHaveLength(5);
  });

  it('rejects list items without an id and never asks for a report of nobody', async () => {
    fake.http.injectFault({
      times: 1,
      path: /\/v1\/employees$/,
      response: {
        status: 200,
        json: {
          data: [{ firstName: 'No', status: 'Active' }],
          meta: { total: 1, page: { limit: 7, nextCursor: null } },
        },
      },
    });
    const pages = await collect(bamboohr(fake));
    expect(pages).toEqual([
      {
        records: [],
        rejected: [{ row: 'list item 1', field: 'employeeId', reason: 'is missing or not an id' }],
        cursor: expect.any(String) as string,
      },
    ]);
    expect(fake.http.requestsTo(/\/reports\/custom$/)).toHaveLength(0);
  });

  for (const status of [503, 429] as const) {
    it(`rides out rate limiting answered with ${status} and Retry-After`, async () => {
      fake.rateLimitStatus = status;
      fake.rateLimitNext(1);
      const all = await records(bamboohr(fake));
      expect(all).toHaveLength(7);
      expect(fake.http.requests[0]!.path).toBe('/api/v1/employees');
      expect(fake.http.requests[1]!.path).toBe('/api/v1/employees');
    });

    it(`reports rate limiting with ${status} that outlasts the retries as RateLimited`, async () => {
      fake.rateLimitStatus = status;
      fake.rateLimitNext(2);
      const twoAttempts: SourceDeps = {
        ...deps,
        http: (options) => createHttpClient({ backoffLimitMs: 50, ...options, maxAttempts: 2 }),
      };
      const err = await failureOf(() => collect(bamboohr(fake, {}, twoAttempts)));
      expect(err.type).toBe('RateLimited');
      expect(err.retryable).toBe(true);
      expect(err.retryAfterMs).toBe(1000);
      expect(err.message).toBe(`BambooHR: GET /api/v1/employees is rate limited (HTTP ${status}); it asked to wait 1s`);
    });
  }

  it('passes on the text of an X-BambooHR-Error-Message header exactly', async () => {
    fake.directorySharing = false;
    const err = await failureOf(() => collect(bamboohr(fake, { roster: 'directory' })));
    expect(err.type).toBe('SourceAuthFailed');
    expect(err.message).toBe(
      "BambooHR: GET /api/v1/employees/directory denied access (check the API user's permissions) (HTTP 403): Directory sharing is turned off for this company",
    );
  });

  it('passes on the JSON {code, message} of the list endpoint, e.g. a stale page cursor', async () => {
    const pages = await collect(bamboohr(fake, { pageSize: 3 }));
    // The employee the first cursor points after has left the company since.
    fake.people = fake.people.filter((person) => person.id !== '4003');
    const err = await failureOf(() => collect(bamboohr(fake, { pageSize: 3 }), pages[0]!.cursor));
    expect(err.type).toBe('SourceRequestRejected');
    expect(err.message).toBe(
      'BambooHR: GET /api/v1/employees was rejected (HTTP 400): BadPage: The page cursor is not valid',
    );
  });

  it('explains wrong credentials with the vendor text and no secret', async () => {
    const err = await failureOf(() => bamboohr(fake, { apiKey: { env: 'BAMBOOHR_WRONG_KEY' } }).check());
    expect(err.message).toBe(
      'BambooHR: GET /api/v1/employees rejected the credentials (HTTP 401): Unauthorized: Invalid credentials',
    );
    const basic = fake.http.requests.at(-1)!.headers.authorization!;
    expect(Buffer.from(basic.replace('Basic ', ''), 'base64').toString()).toBe(`${env.BAMBOOHR_WRONG_KEY}:x`);
  });

  it('reads error text from the legacy header first, else from the JSON body', () => {
    expect(bamboohrErrorMessage(undefined, { 'x-bamboohr-error-message': 'Malformed XML' })).toBe('Malformed XML');
    expect(bamboohrErrorMessage({ code: 'BadPage', message: 'bad cursor' }, {})).toBe('BadPage: bad cursor');
    expect(bamboohrErrorMessage({ message: 'only a message' }, {})).toBe('only a message');
    expect(bamboohrErrorMessage('<html>', {})).toBeUndefined();
  });

  describe('directory roster', () => {
    it('maps the list item and its directory entry field by field', async () => {
      const all = await records(bamboohr(fake, { roster: 'directory' }));
      const person = fake.people[3]!;
      expect(all.find((record) => record.sourceId === person.id)).toEqual({
        sourceId: person.id,
        firstName: person.firstName,
        lastName: person.lastName,
        preferredName: 'Eds',
        displayName: `Eds ${person.lastName}`,
        workEmail: person.email,
        status: 'active',
        rawStatus: 'Active',
        jobTitle: person.jobTitle,
        department: person.department,
        division: person.division,
        location: person.location,
      });
      const directoryCalls = fake.http.requestsTo(/\/employees\/directory$/);
      expect(directoryCalls).toHaveLength(1);
      expect(directoryCalls[0]!.query.get('onlyCurrent')).toBe('false');
      expect(directoryCalls[0]!.headers.accept).toBe('application/json');
      expect(fake.http.requestsTo(/\/reports\/custom$/)).toHaveLength(0);
    });

    it('takes a 404 empty directory as no directory entries, not as an error', async () => {
      fake.notInDirectory = new Set(fake.people.map((person) => person.id));
      const pages = await collect(bamboohr(fake, { roster: 'directory' }));
      expect(fake.answers.filter((answer) => answer.path.endsWith('/directory')).map((a) => a.status)).toEqual([404]);
      expect(pages.flatMap((page) => page.rejected)).toEqual([]);
      const all = pages.flatMap((page) => page.records);
      expect(all).toHaveLength(7);
      expect(all[0]).toEqual({
        sourceId: fake.people[0]!.id,
        firstName: fake.people[0]!.firstName,
        lastName: fake.people[0]!.lastName,
        preferredName: fake.people[0]!.preferredName,
        workEmail: fake.people[0]!.email,
        status: 'active',
        rawStatus: 'Active',
        jobTitle: fake.people[0]!.jobTitle,
      });
    });

    it('reports an empty account as no records', async () => {
      fake.seed(0);
      const pages = await collect(bamboohr(fake, { roster: 'directory' }));
      expect(pages).toEqual([]);
    });

    it('rejects people whose status the list restricts, naming the row and field', async () => {
      fake.hiddenFields = new Set(['status']);
      const [page] = await collect(bamboohr(fake, { roster: 'directory', pageSize: 2 }));
      expect(page!.rejected).toEqual([
        { row: 'employee 4001', field: 'status', reason: 'is required' },
        { row: 'employee 4002', field: 'status', reason: 'is required' },
      ]);
      const listed = fake.answers.find((answer) => answer.path.endsWith('/employees'));
      expect(listed?.status).toBe(200);
    });
  });
});
