import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonioConfigSchema } from '../../connectors/personio/config';
import { createPersonioSource } from '../../connectors/personio/source';
import { createHttpClient } from '../../io/http';
import { createSecretResolver } from '../../io/secrets';
import type { SourceDeps } from '../../connectors/sdk/source';
import { PERSONIO_CLIENT_ID, PERSONIO_CLIENT_SECRET, PersonioFake } from '../fakes/personio/server';
import type { PersonioFakeOptions } from '../fakes/personio/server';
import { collect, describeSourceConformance, testSourceDeps } from '../support/source-conformance';
import { failureOf } from '../support/failure-of';

const env = {
  PERSONIO_CLIENT_ID,
  PERSONIO_CLIENT_SECRET,
  PERSONIO_WRONG_SECRET: 'papi-secret-not-this-one-42',
};
const deps = testSourceDeps(env);
const EMPLOYEES = /\/v1\/company\/employees$/;
const AUTH = /\/v1\/auth$/;

function personio(fake: PersonioFake, overrides: Record<string, unknown> = {}, sourceDeps: SourceDeps = deps) {
  const config = PersonioConfigSchema.parse({
    type: 'personio',
    baseUrl: fake.baseUrl,
    clientId: PERSONIO_CLIENT_ID,
    clientSecret: { env: 'PERSONIO_CLIENT_SECRET' },
    pageSize: 7,
    ...overrides,
  });
  return createPersonioSource(config, sourceDeps);
}

const records = async (source: ReturnType<typeof personio>) => (await collect(source)).flatMap((page) => page.records);

// The conformance kit counts listing requests exactly, so the fake's own 300/min limiter is off
// here (its 429s are shown below); `rateLimitNext` still answers Personio's 429.
describeSourceConformance({
  name: 'Personio',
  startFake: () => PersonioFake.start({ listingRateLimit: undefined }),
  createSource: (fake, _deps, credentials) =>
    personio(fake, credentials === 'wrong' ? { clientSecret: { env: 'PERSONIO_WRONG_SECRET' } } : {}),
  secretValues: [PERSONIO_CLIENT_SECRET, env.PERSONIO_WRONG_SECRET],
  rosterSize: 23,
  env,
});

describe('Personio mapping and vendor behaviour', () => {
  let fake: PersonioFake;
  const startFake = (options: PersonioFakeOptions = {}) =>
    PersonioFake.start({ listingRateLimit: undefined, authPerMinute: 1_000, ...options });
  beforeAll(async () => {
    fake = await startFake();
  });
  afterAll(() => fake.close());

  it('maps one person field by field, nested relations and custom attributes included', async () => {
    fake.seed(7);
    const person = fake.people[6]!; // inactive, with a preferred name, a supervisor and a leaving date
    const manager = fake.people[0]!;
    const mapped = await records(
      personio(fake, {
        employeeNumberAttribute: 'Personnel number',
        customFields: { shirtSize: 'dynamic_1146702', payrollId: 'personnel NUMBER' },
      }),
    );
    expect(mapped.find((record) => record.sourceId === person.id)).toEqual({
      sourceId: '4007',
      employeeNumber: person.employeeNumber,
      firstName: person.firstName,
      lastName: person.lastName,
      preferredName: person.preferredName,
      workEmail: person.email,
      status: 'inactive',
      rawStatus: 'inactive',
      hireDate: person.hireDate,
      terminationDate: '2026-06-30',
      jobTitle: person.jobTitle,
      employmentType: 'internal',
      department: person.department,
      division: person.division,
      location: person.location,
      // Personio lists a 30% shared centre first; the main one holds 70%.
      costCenter: person.costCenter,
      managerSourceId: manager.id,
      managerEmail: manager.email,
      customFields: { shirtSize: 'L', payrollId: person.employeeNumber },
      updatedAt: '2026-11-07T09:00:00+01:00',
    });
    expect(mapped.map((record) => [record.status, record.rawStatus]).sort()).toEqual([
      ['active', 'active'],
      ['active', 'active'],
      ['active', 'active'],
      ['active', 'active'],
      ['inactive', 'inactive'],
      ['leave', 'leave'],
      ['pending', 'onboarding'],
    ]);
    fake.seed(8); // the eighth person is a contractor: an external employee in Personio
    const external = (await records(personio(fake))).find((record) => record.sourceId === fake.people[7]!.id);
    expect(external?.employmentType).toBe('external');
  });

  it('keeps the written calendar date of offset date-times instead of shifting them to UTC', async () => {
    fake.seed(2);
    const [first, second] = [fake.people[0]!, fake.people[1]!];
    const date = (value: string) => ({ label: 'Hire date', value, type: 'date', universal_id: 'hire_date' });
    fake.overrides.set(first.id, { hire_date: date('2014-11-09T00:00:00+01:00') });
    fake.overrides.set(second.id, { hire_date: date('2014-11-09T00:00:00-10:00') });
    try {
      const mapped = await records(personio(fake));
      expect(mapped.map((record) => record.hireDate)).toEqual(['2014-11-09', '2014-11-09']);
    } finally {
      fake.overrides.clear();
    }
  });

  it('reuses one token for a whole listing when tokens are stable: exactly one /v1/auth call', async () => {
    fake.seed(23);
    const authBefore = fake.authRequests();
    const listingBefore = fake.listingRequests();
    const source = personio(fake);
    await source.check();
    const mapped = await records(source);
    expect(mapped).toHaveLength(23);
    expect(fake.authRequests() - authBefore).toBe(1);
    const listing = fake.http.requestsTo(EMPLOYEES).slice(listingBefore);
    expect(listing).toHaveLength(5); // check() and four pages of 7
    expect(new Set(listing.map((request) => request.headers.authorization)).size).toBe(1);
  });

  it('completes a listing with single-use (rotating) tokens by authenticating again after a 401', async () => {
    fake.seed(23);
    fake.tokenMode = 'rotating';
    try {
      const authBefore = fake.authRequests();
      const listingBefore = fake.listingRequests();
      const pages = await collect(personio(fake));
      expect(pages).toHaveLength(4);
      expect(pages.flatMap((page) => page.records.map((record) => record.sourceId))).toEqual(
        fake.people.map((person) => person.id),
      );
      // Each page after the first: the used token gets a 401, then a new token succeeds.
      expect(fake.authRequests() - authBefore).toBe(4);
      expect(fake.listingRequests() - listingBefore).toBe(7);
    } finally {
      fake.tokenMode = 'stable';
    }
  });

  it('pages with limit at most 100 by record offset; Personio defaults to 50 and refuses more than 100', async () => {
    expect(
      PersonioConfigSchema.safeParse({ type: 'personio', clientId: 'x', clientSecret: { env: 'X' } }).data,
    ).toMatchObject({ pageSize: 100, baseUrl: 'https://api.personio.de/v1' });
    expect(
      PersonioConfigSchema.safeParse({ type: 'personio', clientId: 'x', clientSecret: { env: 'X' }, pageSize: 101 })
        .success,
    ).toBe(false);

    fake.seed(230);
    const before = fake.listingRequests();
    const pages = await collect(personio(fake, { pageSize: 100 }));
    expect(pages.map((page) => page.records.length)).toEqual([100, 100, 30]);
    // Personio's total_elements, passed on for progress ("1,200 of 5,000 read").
    expect(pages.map((page) => page.total)).toEqual([230, 230, 230]);
    const sent = fake.http.requestsTo(EMPLOYEES).slice(before);
    expect(sent.map((request) => [request.query.get('limit'), request.query.get('offset')])).toEqual([
      ['100', '0'],
      ['100', '100'],
      ['100', '200'],
    ]);

    const probe = async (query: string) => {
      const response = await fetch(`${fake.baseUrl}/company/employees${query}`, {
        headers: { authorization: `Bearer ${fake.issueToken()}` },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const unpaged = await probe('');
    expect(unpaged.status).toBe(200);
    expect(unpaged.body).toMatchObject({
      limit: 50,
      metadata: { total_elements: 230, current_page: 0, total_pages: 5 },
    });
    expect(unpaged.body['data']).toHaveLength(50);
    expect(await probe('?limit=101')).toEqual({
      status: 400,
      body: { success: false, error: { code: 400, message: 'The limit must not be greater than 100' } },
    });
    fake.overCapLimit = 'clamp';
    try {
      expect((await probe('?limit=500')).body).toMatchObject({ limit: 100 });
    } finally {
      fake.overCapLimit = 'reject';
    }
  });

  it('stops, rather than skipping employees, when offset is read as a page index', async () => {
    fake.seed(23);
    fake.offsetSemantics = 'page';
    try {
      const err = await failureOf(() => collect(personio(fake)));
      expect(err.type).toBe('SourceInvalidResponse');
      expect(err.retryable).toBe(false);
      expect(err.message).toBe(
        'Personio: GET /v1/company/employees returned page 7 for offset 7 with limit 7; it does not seem to treat offset as a record offset',
      );
    } finally {
      fake.offsetSemantics = 'record';
    }
  });

  it('rejects, by employee id and field, records whose credential cannot read their status', async () => {
    fake.seed(2);
    fake.unreadable = new Set(['status', 'office']);
    try {
      const [page] = await collect(personio(fake));
      expect(page!.records).toEqual([]);
      const reason =
        'is required, but Personio did not send the "status" attribute (add it to the API credential\'s readable attributes)';
      expect(page!.rejected).toEqual([
        { row: 'employee 4001', field: 'status', reason },
        { row: 'employee 4002', field: 'status', reason },
      ]);
    } finally {
      fake.unreadable = new Set();
    }
    // An unreadable optional attribute only leaves its field empty.
    fake.unreadable = new Set(['office']);
    try {
      const mapped = await records(personio(fake));
      expect(mapped).toHaveLength(2);
      expect(mapped[0]).not.toHaveProperty('location');
    } finally {
      fake.unreadable = new Set();
    }
  });

  it('rejects unknown status words unless the config maps them', async () => {
    fake.seed(2);
    fake.overrides.set('4001', {
      status: { label: 'Status', value: 'probation', type: 'standard', universal_id: 'status' },
    });
    try {
      const [page] = await collect(personio(fake));
      expect(page!.rejected).toEqual([
        {
          row: 'employee 4001',
          field: 'status',
          reason: 'is a Personio status word this connector does not know (map it in statusMap)',
        },
      ]);
      const mapped = await records(personio(fake, { statusMap: { Probation: 'active' } }));
      expect(mapped[0]).toMatchObject({ sourceId: '4001', status: 'active', rawStatus: 'probation' });
    } finally {
      fake.overrides.clear();
    }
  });

  it('reports wrong client credentials as Personio refusing them, once, whatever the status', async () => {
    for (const status of [403, 401, 400] as const) {
      fake.wrongCredentialsStatus = status;
      const before = fake.authRequests();
      const err = await failureOf(() => personio(fake, { clientSecret: { env: 'PERSONIO_WRONG_SECRET' } }).check());
      expect(err.type).toBe('SourceAuthFailed');
      expect(err.retryable).toBe(false);
      expect(err.message).toBe(
        `Personio: POST /v1/auth refused the client credentials (HTTP ${status}): Wrong credentials`,
      );
      expect(fake.authRequests() - before).toBe(1);
    }
    fake.wrongCredentialsStatus = 403;
  });

  it('sends credentials in a JSON body and the partner and app headers on every request', async () => {
    fake.seed(3);
    const before = fake.http.requests.length;
    await records(
      personio(fake, { clientId: { env: 'PERSONIO_CLIENT_ID' }, partnerId: 'ACME_PARTNER', appId: 'ROSTERFLOW' }),
    );
    const sent = fake.http.requests.slice(before);
    const auth = sent.find((request) => AUTH.test(request.path))!;
    expect(auth.json).toEqual({ client_id: PERSONIO_CLIENT_ID, client_secret: PERSONIO_CLIENT_SECRET });
    expect([...auth.query.keys()]).toEqual([]);
    for (const request of sent) {
      expect(request.headers['x-personio-partner-id']).toBe('ACME_PARTNER');
      expect(request.headers['x-personio-app-id']).toBe('ROSTERFLOW');
    }
  });

  it('explains an error answered with HTTP 200 and success: false', async () => {
    fake.seed(3);
    fake.http.injectFault({
      times: 1,
      path: EMPLOYEES,
      response: { status: 200, json: { success: false, error: { code: 500, message: 'Something went wrong' } } },
    });
    const err = await failureOf(() => collect(personio(fake)));
    expect(err.type).toBe('SourceUnavailable');
    expect(err.message).toBe('Personio: GET /v1/company/employees answered success=false: Something went wrong');
  });

  it('names a missing secret without calling Personio', async () => {
    const before = fake.http.requests.length;
    const err = await failureOf(() => personio(fake, { clientSecret: { env: 'PERSONIO_UNSET' } }).check());
    expect(err.type).toBe('SecretUnavailable');
    expect(err.message).toBe("source.clientSecret: the secret's environment variable PERSONIO_UNSET is not set");
    expect(fake.http.requests.length).toBe(before);
  });

  it("rides out the listing endpoint's own burst limit (429 with Retry-After)", async () => {
    const throttled = await startFake({ listingRateLimit: { burst: 2, perMinute: 120 } });
    try {
      throttled.seed(23);
      const mapped = await records(personio(throttled));
      expect(mapped).toHaveLength(23);
      expect(throttled.listingRequests()).toBeGreaterThan(4);
    } finally {
      await throttled.close();
    }
  });

  it('reports the auth cool-down as rate limiting with the wait Personio asked for', async () => {
    const strict = await startFake({ authPerMinute: 1 });
    const impatient: SourceDeps = {
      resolveSecret: createSecretResolver(env),
      http: (options) => createHttpClient({ backoffLimitMs: 50, ...options, maxRetryAfterMs: 1_000 }),
    };
    try {
      strict.seed(3);
      await personio(strict, {}, impatient).check();
      const err = await failureOf(() => personio(strict, {}, impatient).check());
      expect(err.type).toBe('RateLimited');
      expect(err.retryAfterMs).toBe(60_000);
      expect(err.message).toBe('Personio: POST /v1/auth is rate limited (HTTP 429); it asked to wait 60s');
    } finally {
      await strict.close();
    }
  });
});
