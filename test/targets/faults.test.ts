import { Buffer } from 'node:buffer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bufferSource } from '../../io/streamed-form';
import { createSecretResolver } from '../../io/secrets';
import { RosterflowError } from '../../core/errors';
import { ALLSTACKS_UPLOAD_WINDOW_MS, createAllstacksHttpClient, uploadRoster } from '../../targets/allstacks/client';
import type { AllstacksUploadResult } from '../../targets/allstacks/client';
import { AllstacksTargetConfigSchema } from '../../targets/allstacks/config';
import type { AllstacksTargetConfig } from '../../targets/allstacks/config';
import {
  configureImport,
  buildImportConfig,
  createStaffbaseHttpClient,
  ensureImport,
  getImport,
  getImportErrors,
} from '../../targets/staffbase/client';
import { ALLSTACKS_ORG_ID, ALLSTACKS_PASSWORD, ALLSTACKS_USERNAME, AllstacksFake } from '../fakes/allstacks/server';
import { renderUpload, resolveSecret as staffbaseSecrets, staffbaseConfig } from '../fakes/staffbase/harness';
import { STAFFBASE_TOKEN, StaffbaseFake } from '../fakes/staffbase/server';
import { FAULT_BODY_MARKER } from '../fakes/support/fake-http';
import type { FaultKind } from '../fakes/support/fake-http';
import { failureOf } from '../support/failure-of';

/*
 * The HTTP fault suite for the targets. Uploads are never repeated in-process (a repeated POST could
 * be a second import); a retryable failure is retried by the activity, which these tests play out by
 * calling the same step again, as Temporal would. Reads (status polls, the import list) are retried
 * in-process like a source's.
 */

const TIMEOUT_MS = 1_000;
const SECRETS = [ALLSTACKS_PASSWORD, STAFFBASE_TOKEN];

function expectClean(message: string): void {
  expect(message).not.toContain(FAULT_BODY_MARKER);
  expect(message).not.toMatch(/<html|<!DOCTYPE|Sign in|Email,/i);
  for (const secret of SECRETS) expect(message).not.toContain(secret);
}

describe('Allstacks upload under HTTP faults', () => {
  const env = { ALLSTACKS_PASSWORD };
  const resolveSecret = createSecretResolver(env);
  // A different file per case, so a repeated upload shows up in `duplicateUploads()`.
  let csv = Buffer.alloc(0);
  let caseNumber = 0;
  let fake: AllstacksFake;
  let config: AllstacksTargetConfig;
  const UPLOAD = /\/upload_employee_tags$/;
  const ENDPOINT = `POST /api/v1/organization/${ALLSTACKS_ORG_ID}/service_user_tag_hierarchy/upload_employee_tags`;

  const upload = async (): Promise<AllstacksUploadResult> =>
    uploadRoster(await createAllstacksHttpClient(config, resolveSecret, { timeoutMs: TIMEOUT_MS }), config, {
      csv: bufferSource(csv),
      fileName: 'allstacks-roster.csv',
    });

  beforeAll(async () => {
    fake = await AllstacksFake.start();
    config = AllstacksTargetConfigSchema.parse({
      type: 'allstacks',
      baseUrl: fake.baseUrl,
      organizationId: ALLSTACKS_ORG_ID,
      username: ALLSTACKS_USERNAME,
      password: { env: 'ALLSTACKS_PASSWORD' },
      tags: [{ category: 'Department', field: 'department' }],
    });
  });
  afterAll(() => fake.close());
  // Every case starts with the organisation's upload window open.
  beforeEach(() => {
    fake.advance(ALLSTACKS_UPLOAD_WINDOW_MS);
    fake.http.clearFaults();
    caseNumber += 1;
    csv = Buffer.from(
      `Email,Department\nada.lane@example.com,Engineering\nnew.starter${caseNumber}@example.com,People\n`,
    );
  });

  const before: FaultKind[] = ['500', '502', '503', 'timeout', 'reset'];
  const words: Record<string, RegExp> = {
    '500': /failed \(HTTP 500\): Internal Server Error$/,
    '502': /failed \(HTTP 502\)$/,
    '503': /failed \(HTTP 503\)$/,
    timeout: /timed out \(no complete answer within 1s\)$/,
    reset: /failed \(ECONNRESET\)$/,
  };
  for (const kind of before) {
    it(`${kind} before Allstacks took the file: one attempt, a retryable TargetUnavailable, then one upload on the activity's retry`, async () => {
      const attempts = fake.uploadAttempts();
      const received = fake.uploads.length;
      fake.http.fail(kind, { path: UPLOAD });
      const err = await failureOf(upload);
      expect(err).toMatchObject({ type: 'TargetUnavailable', retryable: true });
      expect(err.message).toMatch(new RegExp(`^Allstacks: ${ENDPOINT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `));
      expect(err.message).toMatch(words[kind]!);
      expectClean(err.message);
      // Never repeated in-process, and nothing reached the service.
      expect(fake.uploadAttempts()).toBe(attempts + 1);
      expect(fake.uploads).toHaveLength(received);

      await expect(upload()).resolves.toEqual({ kind: 'uploaded', status: 200 });
      expect(fake.uploads).toHaveLength(received + 1);
      expect(fake.uploads.at(-1)).toMatchObject({ applied: true, fileName: 'allstacks-roster.csv' });
      expect(fake.duplicateUploads()).toEqual([]);
    });
  }

  it('429 with and without Retry-After: reported (not thrown) for the workflow timer; nothing applied', async () => {
    const received = fake.uploads.length;
    fake.http.fail('429-retry-after', { path: UPLOAD });
    await expect(upload()).resolves.toEqual({ kind: 'rateLimited', retryAfterMs: 1_000 });
    fake.http.fail('429', { path: UPLOAD });
    await expect(upload()).resolves.toEqual({ kind: 'rateLimited', retryAfterMs: undefined });
    expect(fake.uploads).toHaveLength(received);
    await expect(upload()).resolves.toMatchObject({ kind: 'uploaded' });
    expect(fake.uploads).toHaveLength(received + 1);
  });

  it('an HTML page with 200 (sign-in proxy, wrong baseUrl): a non-retryable TargetInvalidResponse, no upload', async () => {
    const received = fake.uploads.length;
    fake.http.fail('html', { path: UPLOAD });
    const err = await failureOf(upload);
    expect(err).toMatchObject({ type: 'TargetInvalidResponse', retryable: false, httpStatus: 200 });
    expect(err.message).toBe(
      `Allstacks: ${ENDPOINT} answered with an HTML page, not the API (HTTP 200); check target.baseUrl`,
    );
    expectClean(err.message);
    expect(fake.uploads).toHaveLength(received);
  });

  for (const kind of ['malformed-json', 'empty'] as const) {
    it(`${kind} 200 after the file was taken: uploaded (the body is undocumented; only the status counts), once`, async () => {
      const received = fake.uploads.length;
      const fault = { 'malformed-json': '{"detail": "Upload rec', empty: '' }[kind];
      fake.http.injectFault({
        times: 1,
        path: UPLOAD,
        action: 'afterHandler',
        name: kind,
        response: { status: 200, headers: { 'content-type': 'application/json' }, body: fault },
      });
      await expect(upload()).resolves.toEqual({ kind: 'uploaded', status: 200 });
      expect(fake.uploads).toHaveLength(received + 1);
      expect(fake.uploadAttempts()).toBe(fake.http.requestsTo(UPLOAD).length);
    });
  }

  for (const kind of ['500-after', 'truncated'] as const) {
    it(`${kind}: ambiguous (Allstacks took the file, the answer was lost); the retry meets the window, no second application within it`, async () => {
      const received = fake.uploads.length;
      const duplicates = fake.duplicateUploads().length;
      if (kind === 'truncated') fake.http.fail('truncated', { path: UPLOAD });
      else
        fake.http.injectFault({
          times: 1,
          path: UPLOAD,
          action: 'afterHandler',
          name: kind,
          response: { status: 500, headers: { 'content-type': 'text/html' }, body: '<h1>Server Error (500)</h1>' },
        });
      const err = await failureOf(upload);
      expect(err).toMatchObject({ type: 'TargetUnavailable', retryable: true });
      expectClean(err.message);
      expect(fake.uploads).toHaveLength(received + 1);
      const state = fake.contributors(ALLSTACKS_ORG_ID);

      // The activity's retry: Allstacks has no idempotency key, but its one-upload-per-window rule
      // answers the repeat with 429 instead of applying it again.
      const retried = await upload();
      expect(retried).toMatchObject({ kind: 'rateLimited' });
      expect(fake.uploads).toHaveLength(received + 1);
      // After the workflow's durable wait the same bytes go again: a repeat, not new data, and the
      // organisation ends in the same state as after one upload.
      fake.advance(ALLSTACKS_UPLOAD_WINDOW_MS);
      await expect(upload()).resolves.toMatchObject({ kind: 'uploaded' });
      expect(fake.uploads).toHaveLength(received + 2);
      expect(fake.duplicateUploads()).toHaveLength(duplicates + 1);
      expect(fake.duplicateUploads().at(-1)).toBe(fake.uploads.at(-1));
      expect(fake.contributors(ALLSTACKS_ORG_ID)).toEqual(state);
    });
  }
});

describe('Staffbase import under HTTP faults', () => {
  let fake: StaffbaseFake;
  let config: ReturnType<typeof staffbaseConfig>;
  const client = () =>
    createStaffbaseHttpClient(config, staffbaseSecrets, { backoffLimitMs: 5, timeoutMs: TIMEOUT_MS });
  const CREATE = /^\/api\/users\/imports$/;
  const ONE_IMPORT = /^\/api\/users\/imports\/[^/]+$/;
  let sequence = 0;
  const fileName = () => `rosterflow-faults-${(sequence += 1)}.csv`;
  const creates = (name: string) =>
    fake.http
      .requestsTo(CREATE, 'POST')
      .filter((request) => request.body.includes(`filename="${name}"`) && request.fault === undefined).length;
  const importsNamed = (name: string) => [...fake.imports.values()].filter((found) => found.fileName === name);

  beforeAll(async () => {
    fake = await StaffbaseFake.start();
    config = staffbaseConfig(fake);
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.http.clearFaults());

  /** The upload step as the activity runs it, retried as Temporal retries it. */
  async function ensureLikeTheActivity(name: string, attempts = 3) {
    const { csv } = renderUpload(config);
    const errors: RosterflowError[] = [];
    for (let attempt = 1; ; attempt += 1) {
      try {
        return { ...(await ensureImport(client(), { fileName: name, csv: bufferSource(csv) })), errors };
      } catch (err) {
        if (!(err instanceof RosterflowError) || !err.retryable || attempt >= attempts) throw err;
        errors.push(err);
      }
    }
  }

  const beforeCreate: { kind: FaultKind; type: string; words: RegExp }[] = [
    { kind: '429', type: 'RateLimited', words: /is rate limited \(HTTP 429\)$/ },
    { kind: '500', type: 'TargetUnavailable', words: /failed \(HTTP 500\): Internal Server Error$/ },
    { kind: '502', type: 'TargetUnavailable', words: /failed \(HTTP 502\)$/ },
    { kind: '503', type: 'TargetUnavailable', words: /failed \(HTTP 503\)$/ },
    { kind: 'timeout', type: 'TargetUnavailable', words: /timed out \(no complete answer within 1s\)$/ },
    { kind: 'reset', type: 'TargetUnavailable', words: /failed \(ECONNRESET\)$/ },
  ];
  for (const { kind, type, words } of beforeCreate) {
    it(`${kind} on the upload, before Staffbase stored it: not repeated in-process; the retried step creates one import`, async () => {
      const name = fileName();
      fake.http.fail(kind, { path: CREATE, method: 'POST' });
      const { importId, created, errors } = await ensureLikeTheActivity(name);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ type, retryable: true });
      expect(errors[0]!.message).toMatch(/^Staffbase: POST \/api\/users\/imports /);
      expect(errors[0]!.message).toMatch(words);
      expectClean(errors[0]!.message);
      expect(created).toBe(true);
      expect(importsNamed(name).map((found) => found.id)).toEqual([importId]);
      expect(fake.http.requestsTo(CREATE, 'POST').filter((request) => request.fault === kind)).toHaveLength(1);
    });
  }

  for (const kind of ['500-after', 'truncated'] as const) {
    it(`${kind}: Staffbase stored the import but the answer was lost; the retried step finds it, no second import`, async () => {
      const name = fileName();
      if (kind === 'truncated') fake.http.fail('truncated', { path: CREATE, method: 'POST' });
      else
        fake.http.injectFault({
          times: 1,
          path: CREATE,
          method: 'POST',
          action: 'afterHandler',
          name: kind,
          response: { status: 500, json: { code: 500, message: 'Internal Server Error' } },
        });
      const createdBefore = fake.importsCreated;
      const { importId, created, errors } = await ensureLikeTheActivity(name);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ type: 'TargetUnavailable', retryable: true });
      expect(created).toBe(false);
      expect(fake.importsCreated).toBe(createdBefore + 1);
      expect(importsNamed(name).map((found) => found.id)).toEqual([importId]);
      // The upload went out once; the retry only listed imports.
      expect(fake.http.requestsTo(CREATE, 'POST').filter((request) => request.body.includes(name))).toHaveLength(1);
      expect(creates(name)).toBe(0);
    });
  }

  it('an HTML page with 200 on the upload: a non-retryable TargetInvalidResponse, no import', async () => {
    const name = fileName();
    fake.http.fail('html', { path: CREATE, method: 'POST' });
    const err = await failureOf(() => ensureLikeTheActivity(name));
    expect(err).toMatchObject({ type: 'TargetInvalidResponse', retryable: false, httpStatus: 200 });
    expect(err.message).toBe(
      'Staffbase: POST /api/users/imports answered with an HTML page, not the API (HTTP 200); ' +
        'check target.baseUrl and any proxy in front of Staffbase',
    );
    expectClean(err.message);
    expect(importsNamed(name)).toEqual([]);
  });

  it("faults on the import list (the step's idempotency check) are retried in-process; still one import", async () => {
    const name = fileName();
    fake.http.fail('503', { path: CREATE, method: 'GET' });
    fake.http.fail('truncated', { path: CREATE, method: 'GET' });
    fake.http.fail('html', { path: CREATE, method: 'GET' });
    const { created, errors } = await ensureLikeTheActivity(name, 1);
    expect(errors).toEqual([]);
    expect(created).toBe(true);
    expect(importsNamed(name)).toHaveLength(1);
    expect(fake.http.pendingFaults()).toBe(0);
  });

  describe('status polls (GET /api/users/imports/{id})', () => {
    let importId: string;
    beforeAll(async () => {
      ({ importId } = await ensureLikeTheActivity(fileName(), 1));
    });

    for (const kind of ['429', '429-retry-after', '502', '503', 'timeout', 'truncated', 'reset', 'html'] as const) {
      it(`${kind}: retried in-process; the poll reads the state`, async () => {
        const from = fake.http.requests.length;
        fake.http.fail(kind, { path: ONE_IMPORT, method: 'GET' });
        await expect(getImport(client(), importId)).resolves.toMatchObject({ importId, state: 'DRAFT' });
        const polls = fake.http.requests.slice(from).filter((request) => ONE_IMPORT.test(request.path));
        expect(polls.map((request) => request.fault ?? 'served')).toEqual([kind, 'served']);
      });
    }

    it("500: a retryable TargetUnavailable (the poll activity's retry reads it next time)", async () => {
      fake.http.fail('500', { path: ONE_IMPORT, method: 'GET' });
      const err = await failureOf(() => getImport(client(), importId));
      expect(err).toMatchObject({ type: 'TargetUnavailable', retryable: true, httpStatus: 500 });
      expect(err.message).toBe(
        `Staffbase: GET /api/users/imports/${importId} failed (HTTP 500): Internal Server Error`,
      );
      await expect(getImport(client(), importId)).resolves.toMatchObject({ state: 'DRAFT' });
    });

    const invalid: { kind: FaultKind; words: string }[] = [
      { kind: 'malformed-json', words: 'returned a body that is not valid JSON (HTTP 200, ' },
      { kind: 'html', words: 'answered text/html instead of JSON (HTTP 200); a sign-in page or a proxy' },
      { kind: 'empty', words: 'returned an empty body where JSON was expected (HTTP 200)' },
    ];
    for (const { kind, words } of invalid) {
      it(`${kind} every time: 3 attempts, then a non-retryable TargetInvalidResponse naming the endpoint`, async () => {
        const from = fake.http.requests.length;
        fake.http.fail(kind, { path: ONE_IMPORT, method: 'GET', times: 10 });
        const err = await failureOf(() => getImport(client(), importId));
        fake.http.clearFaults();
        expect(err).toMatchObject({ type: 'TargetInvalidResponse', retryable: false, httpStatus: 200 });
        expect(err.message.startsWith(`Staffbase: GET /api/users/imports/${importId} ${words}`)).toBe(true);
        expect(err.message).toMatch(/ \(3 attempts\)$/);
        expectClean(err.message);
        expect(fake.http.requests.slice(from).filter((request) => request.fault === kind)).toHaveLength(3);
      });
    }

    it('a 503 on the config PATCH is not repeated in-process; sending it again (idempotent) configures once', async () => {
      const body = buildImportConfig(config, renderUpload(config).headers);
      fake.http.fail('503', { path: /\/config$/, method: 'PATCH' });
      const err = await failureOf(() => configureImport(client(), importId, body));
      expect(err).toMatchObject({ type: 'TargetUnavailable', retryable: true, httpStatus: 503 });
      await configureImport(client(), importId, body);
      expect(fake.importById(importId)).toMatchObject({ configured: true, configWrites: 1 });
    });

    it('an HTML page instead of the error report is refused, not stored as errors', async () => {
      fake.http.fail('html', { path: /\/errors$/, method: 'GET' });
      const err = await failureOf(() => getImportErrors(client(), importId));
      expect(err).toMatchObject({ type: 'TargetInvalidResponse', retryable: false });
      expect(err.message).toBe(
        `Staffbase: GET /api/users/imports/${importId}/errors answered with an HTML page instead of the error report (HTTP 200)`,
      );
    });
  });
});
