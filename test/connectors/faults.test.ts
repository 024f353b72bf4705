import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BamboohrConfigSchema } from '../../connectors/bamboohr/config';
import { createBamboohrSource } from '../../connectors/bamboohr/source';
import { HibobConfigSchema } from '../../connectors/hibob/config';
import { createHibobSource } from '../../connectors/hibob/source';
import { MsgraphConfigSchema } from '../../connectors/msgraph/config';
import { createMsgraphSource } from '../../connectors/msgraph/source';
import { PersonioConfigSchema } from '../../connectors/personio/config';
import { createPersonioSource } from '../../connectors/personio/source';
import { createHttpClient } from '../../io/http';
import { createSecretResolver } from '../../io/secrets';
import type { EmployeePage, SourceConnector, SourceDeps } from '../../connectors/sdk/source';
import { WorkdayRaasConfigSchema } from '../../connectors/workday-raas/config';
import { createWorkdayRaasSource } from '../../connectors/workday-raas/source';
import { RosterflowError } from '../../core/errors';
import { BAMBOOHR_API_KEY, BAMBOOHR_COMPANY, BamboohrFake } from '../fakes/bamboohr/server';
import { HIBOB_SERVICE_USER, HIBOB_TOKEN, HibobFake } from '../fakes/hibob/server';
import { MSGRAPH_CLIENT_ID, MSGRAPH_CLIENT_SECRET, MSGRAPH_TENANT_ID, MsgraphFake } from '../fakes/msgraph/server';
import { PERSONIO_CLIENT_ID, PERSONIO_CLIENT_SECRET, PersonioFake } from '../fakes/personio/server';
import { FAULT_BODY_MARKER, requestKey } from '../fakes/support/fake-http';
import type { FakeHttpServer, FakeRequest, FaultKind } from '../fakes/support/fake-http';
import {
  WORKDAY_ISU_PASSWORD,
  WORKDAY_ISU_USER,
  WORKDAY_REPORT_NAME,
  WORKDAY_REPORT_OWNER,
  WORKDAY_TENANT,
  WorkdayRaasFake,
} from '../fakes/workday-raas/server';
import { failureOf } from '../support/failure-of';

/*
 * The HTTP fault suite for the JSON sources: every fault the fake server can produce, on the listing
 * request of every source, with the exact outcome each must end in:
 * - transient faults: the same employees as an unfaulted read, each once, no completed page read twice;
 * - invalid answers (malformed JSON, an HTML page, an empty body): a bounded retry, then a clear,
 *   non-retryable SourceInvalidResponse naming vendor and endpoint, never quoting the body or a secret.
 */

const TIMEOUT_MS = 1_000;
const MAX_ATTEMPTS = 5;
const MAX_INVALID_ATTEMPTS = 3;

const env = {
  BAMBOOHR_API_KEY,
  HIBOB_TOKEN,
  PERSONIO_CLIENT_SECRET,
  GRAPH_CLIENT_SECRET: MSGRAPH_CLIENT_SECRET,
  WORKDAY_PASSWORD: WORKDAY_ISU_PASSWORD,
};
const SECRETS = Object.values(env);

/** The shared HTTP layer as the worker builds it, with short backoffs and a short timeout. */
const deps: SourceDeps = {
  resolveSecret: createSecretResolver(env),
  // Forced over what a connector asks for (Workday sets its own timeout from the config).
  http: (options) =>
    createHttpClient({
      ...options,
      backoffLimitMs: 20,
      timeoutMs: TIMEOUT_MS,
      maxAttempts: MAX_ATTEMPTS,
      maxInvalidAttempts: MAX_INVALID_ATTEMPTS,
    }),
};

interface Fake {
  http: FakeHttpServer;
  seed(count: number): void;
  close(): Promise<void>;
}

interface SourceCase {
  name: string;
  start(): Promise<{ fake: Fake; source: () => SourceConnector }>;
  /** The request that reads employees, as the fake sees it and as messages name it. */
  listing: { method: 'GET' | 'POST'; path: RegExp; endpoint: string };
  /** Which listing request the faults spoil: the second page where there are pages, else the only one. */
  nth: number;
}

const ROSTER = 23;
const PAGE_SIZE = 7;

const SOURCES: SourceCase[] = [
  {
    name: 'BambooHR',
    async start() {
      const fake = await BamboohrFake.start();
      const config = BamboohrConfigSchema.parse({
        type: 'bamboohr',
        companyDomain: BAMBOOHR_COMPANY,
        baseUrl: fake.origin,
        apiKey: { env: 'BAMBOOHR_API_KEY' },
        pageSize: PAGE_SIZE,
      });
      return { fake, source: () => createBamboohrSource(config, deps) };
    },
    listing: { method: 'GET', path: /\/api\/v1\/employees$/, endpoint: 'GET /api/v1/employees' },
    nth: 2,
  },
  {
    name: 'HiBob',
    async start() {
      const fake = await HibobFake.start();
      const config = HibobConfigSchema.parse({
        type: 'hibob',
        baseUrl: fake.baseUrl,
        serviceUserId: HIBOB_SERVICE_USER,
        serviceUserToken: { env: 'HIBOB_TOKEN' },
        pageSize: PAGE_SIZE,
      });
      return { fake, source: () => createHibobSource(config, deps) };
    },
    listing: { method: 'POST', path: /\/v1\/people\/search$/, endpoint: 'POST /v1/people/search' },
    nth: 1,
  },
  {
    name: 'Personio',
    async start() {
      const fake = await PersonioFake.start({ listingRateLimit: undefined, authPerMinute: 10_000 });
      const config = PersonioConfigSchema.parse({
        type: 'personio',
        baseUrl: fake.baseUrl,
        clientId: PERSONIO_CLIENT_ID,
        clientSecret: { env: 'PERSONIO_CLIENT_SECRET' },
        pageSize: PAGE_SIZE,
      });
      return { fake, source: () => createPersonioSource(config, deps) };
    },
    listing: { method: 'GET', path: /\/v1\/company\/employees$/, endpoint: 'GET /v1/company/employees' },
    nth: 2,
  },
  {
    name: 'Workday',
    async start() {
      const fake = await WorkdayRaasFake.start();
      const config = WorkdayRaasConfigSchema.parse({
        type: 'workday-raas',
        baseUrl: fake.baseUrl,
        tenant: WORKDAY_TENANT,
        reportOwner: WORKDAY_REPORT_OWNER,
        reportName: WORKDAY_REPORT_NAME,
        username: WORKDAY_ISU_USER,
        password: { env: 'WORKDAY_PASSWORD' },
        pageSize: PAGE_SIZE,
      });
      return { fake, source: () => createWorkdayRaasSource(config, deps, { today: () => '2026-12-01' }) };
    },
    listing: {
      method: 'GET',
      path: /^\/ccx\/service\/customreport2\//,
      endpoint: `GET /ccx/service/customreport2/${WORKDAY_TENANT}/${WORKDAY_REPORT_OWNER}/${WORKDAY_REPORT_NAME}`,
    },
    nth: 1,
  },
  {
    name: 'Microsoft Graph',
    async start() {
      const fake = await MsgraphFake.start();
      const config = MsgraphConfigSchema.parse({
        type: 'msgraph',
        tenantId: MSGRAPH_TENANT_ID,
        clientId: MSGRAPH_CLIENT_ID,
        clientSecret: { env: 'GRAPH_CLIENT_SECRET' },
        graphBaseUrl: fake.baseUrl,
        authorityHost: fake.baseUrl,
        pageSize: PAGE_SIZE,
      });
      return {
        fake,
        source: () => createMsgraphSource(config, deps, { now: () => new Date('2026-12-01T09:00:00Z') }),
      };
    },
    listing: { method: 'GET', path: /^\/v1\.0\/users$/, endpoint: 'GET /v1.0/users' },
    nth: 2,
  },
];

/** Faults that must end in the full roster, read once. `500` is not retried in-process (see below). */
const IN_PROCESS_TRANSIENT: FaultKind[] = ['429', '429-retry-after', '502', '503', 'timeout', 'truncated', 'reset'];
const INVALID: { kind: FaultKind; problem: RegExp }[] = [
  {
    kind: 'malformed-json',
    problem: /returned a body that is not valid JSON \(HTTP 200, \d+ bytes; truncated or malformed\)/,
  },
  {
    kind: 'html',
    problem:
      /answered text\/html instead of JSON \(HTTP 200\); a sign-in page or a proxy may be answering instead of the API/,
  },
  { kind: 'empty', problem: /returned an empty body where JSON was expected \(HTTP 200\)/ },
];

/**
 * Reads the way the extract activity does: on a retryable failure the next attempt resumes from the
 * last page's cursor (its heartbeat checkpoint); a non-retryable one fails the run.
 */
async function pullLikeExtract(
  source: () => SourceConnector,
  maxActivityAttempts = 3,
): Promise<{ pages: EmployeePage[]; activityAttempts: number }> {
  const pages: EmployeePage[] = [];
  for (let attempt = 1; ; attempt += 1) {
    try {
      for await (const page of source().listEmployees({}, pages.at(-1)?.cursor)) pages.push(page);
      return { pages, activityAttempts: attempt };
    } catch (err) {
      if (!(err instanceof RosterflowError) || !err.retryable || attempt >= maxActivityAttempts) throw err;
    }
  }
}

const idsOf = (pages: EmployeePage[]) => pages.flatMap((page) => page.records.map((record) => record.sourceId));
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function expectClean(message: string): void {
  expect(message).not.toContain(FAULT_BODY_MARKER);
  expect(message).not.toMatch(/<html|<!DOCTYPE|Sign in|"employees"/i);
  for (const secret of SECRETS) expect(message).not.toContain(secret);
}

for (const sourceCase of SOURCES) {
  const { listing, nth } = sourceCase;

  describe(`${sourceCase.name}: HTTP faults on the listing request`, () => {
    let fake: Fake;
    let source: () => SourceConnector;
    let baseline: { ids: string[]; listingReads: number };

    /** Requests from `from` on to the listing endpoint. */
    const listingSince = (from: number): FakeRequest[] =>
      fake.http.requests.slice(from).filter((request) => listing.path.test(request.path));

    beforeAll(async () => {
      ({ fake, source } = await sourceCase.start());
      fake.seed(ROSTER);
      const from = fake.http.requests.length;
      const { pages } = await pullLikeExtract(source);
      baseline = { ids: idsOf(pages), listingReads: listingSince(from).length };
      expect(baseline.ids).toHaveLength(ROSTER);
    });
    afterAll(() => fake.close());

    /** The roster read once in full, every listing request served once, plus exactly the faulted ones. */
    function expectSameRosterReadOnce(pages: EmployeePage[], from: number, faulted: number): void {
      const ids = idsOf(pages);
      expect(ids).toEqual(baseline.ids);
      expect(new Set(ids).size).toBe(ROSTER);
      const requests = listingSince(from);
      const served = requests.filter((request) => request.fault === undefined);
      expect(served).toHaveLength(baseline.listingReads);
      expect(new Set(served.map(requestKey)).size).toBe(served.length); // no page read twice
      expect(requests.filter((request) => request.fault !== undefined)).toHaveLength(faulted);
      expect(fake.http.pendingFaults()).toBe(0);
    }

    for (const kind of IN_PROCESS_TRANSIENT) {
      it(`${kind}: retried in-process, the same roster read once`, async () => {
        const from = fake.http.requests.length;
        fake.http.fail(kind, { path: listing.path, method: listing.method, nth });
        const { pages, activityAttempts } = await pullLikeExtract(source);
        expect(activityAttempts).toBe(1);
        expectSameRosterReadOnce(pages, from, 1);
        // The retry repeated exactly the spoiled request.
        const requests = listingSince(from);
        const spoiled = requests.findIndex((request) => request.fault === kind);
        expect(spoiled).toBe(nth - 1);
        expect(requestKey(requests[spoiled + 1]!)).toBe(requestKey(requests[spoiled]!));
      });
    }

    it('500: not retried in-process; the activity retry resumes after the last page read', async () => {
      const from = fake.http.requests.length;
      fake.http.fail('500', { path: listing.path, method: listing.method, nth });
      const first = await failureOf(() => pullLikeExtract(source, 1));
      expect(first).toMatchObject({ type: 'SourceUnavailable', retryable: true, httpStatus: 500 });
      expect(first.message).toMatch(
        new RegExp(`^${escape(sourceCase.name)}: ${escape(listing.endpoint)} failed \\(HTTP 500\\)`),
      );

      const again = fake.http.requests.length;
      fake.http.fail('500', { path: listing.path, method: listing.method, nth });
      const { pages, activityAttempts } = await pullLikeExtract(source);
      expect(activityAttempts).toBe(2);
      expectSameRosterReadOnce(pages, again, 1);
      expect(listingSince(from).filter((request) => request.fault === '500')).toHaveLength(2);
    });

    it('a one-off HTML page (a proxy hiccup) is retried once and the roster read in full', async () => {
      const from = fake.http.requests.length;
      fake.http.fail('html', { path: listing.path, method: listing.method, nth });
      const { pages, activityAttempts } = await pullLikeExtract(source);
      expect(activityAttempts).toBe(1);
      expectSameRosterReadOnce(pages, from, 1);
    });

    for (const { kind, problem } of INVALID) {
      it(`${kind}, every time: ${MAX_INVALID_ATTEMPTS} attempts, then a clear non-retryable SourceInvalidResponse`, async () => {
        const from = fake.http.requests.length;
        fake.http.fail(kind, { path: listing.path, method: listing.method, nth, times: 50 });
        const yielded: EmployeePage[] = [];
        const err = await failureOf(async () => {
          for await (const page of source().listEmployees({})) yielded.push(page);
        });
        fake.http.clearFaults();
        expect(err).toMatchObject({ type: 'SourceInvalidResponse', retryable: false, httpStatus: 200 });
        expect(err.message).toMatch(new RegExp(`^${escape(sourceCase.name)}: ${escape(listing.endpoint)} `));
        expect(err.message).toMatch(problem);
        expect(err.message).toMatch(/ \(3 attempts\)$/);
        expectClean(err.message);
        // Pages before the broken one came through once; nothing after it was read.
        expect(idsOf(yielded)).toEqual(baseline.ids.slice(0, idsOf(yielded).length));
        const requests = listingSince(from);
        expect(requests.filter((request) => request.fault === kind)).toHaveLength(MAX_INVALID_ATTEMPTS);
        expect(requests).toHaveLength(nth - 1 + MAX_INVALID_ATTEMPTS);
      });
    }
  });
}

describe('transient faults that outlast the retries', () => {
  let hibob: Fake;
  let hibobSource: () => SourceConnector;
  let personio: Fake;
  let personioSource: () => SourceConnector;
  beforeAll(async () => {
    ({ fake: hibob, source: hibobSource } = await SOURCES[1]!.start());
    ({ fake: personio, source: personioSource } = await SOURCES[2]!.start());
    hibob.seed(ROSTER);
    personio.seed(ROSTER);
  });
  afterAll(async () => {
    await hibob.close();
    await personio.close();
  });

  const cases: { kind: FaultKind; type: string; message: RegExp }[] = [
    { kind: '503', type: 'SourceUnavailable', message: /failed \(HTTP 503\)$/ },
    { kind: '502', type: 'SourceUnavailable', message: /failed \(HTTP 502\)$/ },
    { kind: 'timeout', type: 'SourceUnavailable', message: /timed out \(no complete answer within 1s\)$/ },
    {
      kind: 'truncated',
      type: 'SourceUnavailable',
      message: /failed: the connection broke while the answer was read \(ECONNRESET\)$/,
    },
    { kind: 'reset', type: 'SourceUnavailable', message: /failed \(ECONNRESET\)$/ },
    { kind: '429', type: 'RateLimited', message: /is rate limited \(HTTP 429\)$/ },
  ];
  for (const { kind, type, message } of cases) {
    it(`${kind} on every attempt: a retryable ${type} after ${MAX_ATTEMPTS} attempts, no body text`, async () => {
      for (const [fake, source, listing] of [
        [hibob, hibobSource, SOURCES[1]!.listing],
        [personio, personioSource, SOURCES[2]!.listing],
      ] as const) {
        const from = fake.http.requests.length;
        fake.http.fail(kind, { path: listing.path, times: MAX_ATTEMPTS });
        const err = await failureOf(() => pullLikeExtract(source, 1));
        expect(err).toMatchObject({ type, retryable: true });
        expect(err.message).toMatch(new RegExp(`^[A-Za-z]+: ${escape(listing.endpoint)} `));
        expect(err.message).toMatch(message);
        expectClean(err.message);
        const requests = fake.http.requests.slice(from).filter((request) => listing.path.test(request.path));
        expect(requests).toHaveLength(MAX_ATTEMPTS);
        expect(fake.http.pendingFaults()).toBe(0);
      }
    });
  }

  it("a Retry-After longer than the HTTP layer waits is handed to the activity's retry, not slept through", async () => {
    hibob.http.injectFault({
      times: 1,
      path: SOURCES[1]!.listing.path,
      name: 'long-429',
      response: { status: 429, headers: { 'retry-after': '3600' }, json: { error: 'Too many requests' } },
    });
    const started = Date.now();
    const err = await failureOf(() => pullLikeExtract(hibobSource, 1));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err).toMatchObject({ type: 'RateLimited', retryable: true, retryAfterMs: 3_600_000, httpStatus: 429 });
    expect(err.message).toBe('HiBob: POST /v1/people/search is rate limited (HTTP 429); it asked to wait 3600s');
  });
});

describe('faults on the token endpoints', () => {
  it('Personio: a reset and a 503 on /v1/auth are ridden out; an HTML page there fails clearly', async () => {
    const { fake, source } = await SOURCES[2]!.start();
    try {
      fake.seed(ROSTER);
      const auth = /\/v1\/auth$/;
      fake.http.fail('reset', { path: auth });
      fake.http.fail('503', { path: auth });
      const { pages } = await pullLikeExtract(source, 1);
      expect(idsOf(pages)).toHaveLength(ROSTER);
      expect(fake.http.requestsTo(auth)).toHaveLength(3);

      fake.http.fail('html', { path: auth, times: MAX_INVALID_ATTEMPTS });
      const err = await failureOf(() => pullLikeExtract(source, 1));
      expect(err).toMatchObject({ type: 'SourceInvalidResponse', retryable: false });
      expect(err.message).toMatch(/^Personio: POST \/v1\/auth answered text\/html instead of JSON \(HTTP 200\)/);
      expectClean(err.message);
    } finally {
      await fake.close();
    }
  });

  it('Microsoft Graph: a truncated token answer is retried; malformed JSON from Entra ID fails clearly', async () => {
    const { fake, source } = await SOURCES[4]!.start();
    try {
      fake.seed(ROSTER);
      const token = /\/oauth2\/v2\.0\/token$/;
      fake.http.fail('truncated', { path: token });
      const { pages } = await pullLikeExtract(source, 1);
      expect(idsOf(pages)).toHaveLength(ROSTER);
      expect(fake.http.requestsTo(token)).toHaveLength(2);

      fake.http.fail('malformed-json', { path: token, times: MAX_INVALID_ATTEMPTS });
      const err = await failureOf(() => pullLikeExtract(source, 1));
      expect(err).toMatchObject({ type: 'SourceInvalidResponse', retryable: false });
      expect(err.message).toMatch(
        new RegExp(
          `^Microsoft Entra ID: POST /${MSGRAPH_TENANT_ID}/oauth2/v2.0/token returned a body that is not valid JSON`,
        ),
      );
      expectClean(err.message);
    } finally {
      await fake.close();
    }
  });
});
