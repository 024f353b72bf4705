import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bufferSource } from '../../io/streamed-form';
import { RosterflowError } from '../../core/errors';
import type { Employee } from '../../core/employee';
import {
  assertKnownState,
  buildImportConfig,
  configureImport,
  createImport,
  createStaffbaseHttpClient,
  ensureImport,
  findImportByFileName,
  getImport,
  getImportErrors,
  requestImport,
  requestPreview,
  staffbaseImportFileName,
} from '../../targets/staffbase/client';
import { StaffbaseTargetConfigSchema, pollingDelaysMs } from '../../targets/staffbase/config';
import { parseStaffbaseErrorReport } from '../../targets/staffbase/error-report';
import { createStaffbaseLayouts } from '../../targets/staffbase/layout';
import { judgeStaffbasePreview } from '../../targets/staffbase/preview-check';
import {
  EMPLOYEES,
  pollUntil,
  renderCsv,
  renderUpload,
  resolveSecret,
  staffbaseClient,
  staffbaseConfig,
} from '../fakes/staffbase/harness';
import { STAFFBASE_TOKEN, StaffbaseFake } from '../fakes/staffbase/server';

const BASE = { type: 'staffbase', baseUrl: 'https://exampleapp.staffbase.com/api', apiToken: { env: 'SB_TOKEN' } };

function issues(input: Record<string, unknown>) {
  const result = StaffbaseTargetConfigSchema.safeParse({ ...BASE, ...input });
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

async function rejection(promise: Promise<unknown>): Promise<RosterflowError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof RosterflowError)) throw new Error(`expected a RosterflowError, got ${String(error)}`);
  return error;
}

describe('Staffbase config', () => {
  it('defaults to a delta import with the identifier read from sourceId', () => {
    const config = StaffbaseTargetConfigSchema.parse(BASE);
    expect(config).toMatchObject({
      mode: 'delta',
      allowFullImport: false,
      statusHeader: 'Status_code',
      separator: ',',
      sendMailsNew: false,
      sendMailsPending: false,
      generateRecoveryCodes: false,
      polling: { initialInterval: '10s', maxInterval: '2m', timeout: '6h' },
    });
    expect(config.columns[0]).toEqual({ header: 'Identifier', field: 'sourceId', attribute: 'externalId' });
    expect(pollingDelaysMs(config.polling)).toEqual({
      initialIntervalMs: 10_000,
      maxIntervalMs: 120_000,
      timeoutMs: 21_600_000,
    });
  });

  it('refuses a full import unless allowFullImport confirms it, and says why', () => {
    expect(issues({ mode: 'full' })).toEqual([
      "mode: 'full' deactivates every active Staffbase user and deletes every pending user missing from the file; " +
        'set allowFullImport: true to confirm, or use mode delta',
    ]);
    expect(issues({ mode: 'full', allowFullImport: true })).toEqual([]);
  });

  it('lets only the externalId column leave out its field', () => {
    const config = StaffbaseTargetConfigSchema.parse({
      ...BASE,
      columns: [{ header: 'ID', attribute: 'externalId' }],
    });
    expect(config.columns).toEqual([{ header: 'ID', field: 'sourceId', attribute: 'externalId' }]);
    expect(
      issues({
        columns: [
          { header: 'ID', attribute: 'externalId' },
          { header: 'Mail', attribute: 'eMail' },
        ],
      }),
    ).toEqual(['columns.1.field: needs a field (only the externalId column defaults to sourceId)']);
  });

  it('rejects mappings Staffbase would refuse or that would lose data', () => {
    expect(issues({ columns: [{ header: 'Mail', field: 'workEmail', attribute: 'eMail' }] })).toEqual([
      'columns: must map one column to externalId (the mandatory Staffbase identifier)',
    ]);
    expect(
      issues({
        columns: [
          { header: 'ID', attribute: 'externalId' },
          { header: 'Status_code', field: 'rawStatus', attribute: 'profile-field:status' },
        ],
      }),
    ).toEqual(['statusHeader: is also the header of a column']);
    expect(issues({ columns: [{ header: 'ID', field: 'sourceId', attribute: 'status' }] })[0]).toMatch(
      /^columns\.0\.attribute: must be one of externalId, eMail/,
    );
    expect(issues({ columns: [{ header: 'ID', attribute: 'externalId' }], sendMailsNew: true })).toEqual([
      'sendMailsNew: needs a column mapped to eMail (Staffbase invites by email only)',
    ]);
    expect(issues({ baseUrl: 'not a url' })).toEqual(['baseUrl: Invalid URL']);
    expect(issues({ polling: { initialInterval: 'soon' } })).toEqual([
      'polling.initialInterval: must be a duration such as "10s", "2m" or "6h"',
    ]);
    expect(issues({ baseUrl: 'http://exampleapp.staffbase.com/api' })).toHaveLength(1);
    expect(issues({ baseUrl: 'https://exampleapp.staffbase.com' })).toHaveLength(1);
    expect(issues({ polling: { initialInterval: '5m', maxInterval: '1m' } })).toEqual([
      'polling.initialInterval: initialInterval must not exceed maxInterval',
    ]);
  });
});

describe('Staffbase layout', () => {
  it('delta: everyone listed, leavers Deactivated, status column last', () => {
    const [layout] = createStaffbaseLayouts(StaffbaseTargetConfigSchema.parse(BASE));
    expect(layout?.fileName).toBe('staffbase-users.csv');
    expect(renderCsv(layout!, EMPLOYEES).split('\n')).toEqual([
      'Identifier,Email Address,First Name,Last Name,Status_code',
      '1001,ada.lane@example.com,Ada,Lane,Activated',
      '1002,grace.hopper@example.com,Grace,Hopper,Activated',
      '1003,alan.turing@example.com,Alan,Turing,Activated',
      '1004,ken.thompson@example.com,Ken,Thompson,Deactivated',
      '1005,radia.perlman@example.com,Radia,Perlman,Deactivated',
      '',
    ]);
    expect(layout?.checks).toEqual({
      required: ['Identifier'],
      unique: ['Identifier', 'Email Address'],
      emails: ['Email Address'],
    });
  });

  it('full: leavers left out, no status column', () => {
    const [layout] = createStaffbaseLayouts(
      StaffbaseTargetConfigSchema.parse({ ...BASE, mode: 'full', allowFullImport: true }),
    );
    expect(renderCsv(layout!, EMPLOYEES).split('\n')).toEqual([
      'Identifier,Email Address,First Name,Last Name',
      '1001,ada.lane@example.com,Ada,Lane',
      '1002,grace.hopper@example.com,Grace,Hopper',
      '1003,alan.turing@example.com,Alan,Turing',
      '',
    ]);
  });

  it('keeps headers in config order, never formula-escapes the identifier and email', () => {
    const config = StaffbaseTargetConfigSchema.parse({
      ...BASE,
      separator: ';',
      statusHeader: 'Account Status',
      columns: [
        { header: 'Team', field: 'customFields.team', attribute: 'profile-field:team' },
        { header: 'Given', field: 'firstName', attribute: 'profile-field:firstName' },
        { header: 'Key', field: 'employeeNumber', attribute: 'externalId' },
      ],
    });
    const [layout] = createStaffbaseLayouts(config);
    const employee: Employee = {
      sourceId: 'x',
      employeeNumber: '-42',
      firstName: '=HYPERLINK("http://evil")',
      status: 'active',
      customFields: { team: 'Core' },
    };
    expect(layout?.headers).toEqual(['Team', 'Given', 'Key', 'Account Status']);
    // The renderer escapes formulas (escapeFormulas, off by default) in every column but these.
    expect(layout?.rowsFor(employee)).toEqual([['Core', '=HYPERLINK("http://evil")', '-42', 'Activated']]);
    expect(layout?.verbatim).toEqual(['Key']);
    expect(layout?.checks).toEqual({ required: ['Key'], unique: ['Key'], emails: [] });
  });

  it('builds the /config body: attribute -> header, status in delta mode, options', () => {
    const config = StaffbaseTargetConfigSchema.parse({ ...BASE, sendMailsNew: true });
    const [layout] = createStaffbaseLayouts(config);
    expect(buildImportConfig(config, layout!.headers)).toEqual({
      delta: true,
      encoding: 'UTF-8',
      separator: ',',
      type: 'USER',
      generateRecoveryCodes: false,
      sendMailsNew: true,
      sendMailsPending: false,
      mapping: {
        externalId: 'Identifier',
        eMail: 'Email Address',
        'profile-field:firstName': 'First Name',
        'profile-field:lastName': 'Last Name',
        status: 'Status_code',
      },
    });
    const full = StaffbaseTargetConfigSchema.parse({ ...BASE, mode: 'full', allowFullImport: true });
    expect(buildImportConfig(full, ['Identifier', 'Email Address', 'First Name', 'Last Name'])).toMatchObject({
      delta: false,
      mapping: { externalId: 'Identifier' },
    });
    expect(() => buildImportConfig(config, ['Identifier'])).toThrow(
      'target: the Staffbase mapping names columns the file does not have: Email Address, First Name, Last Name, Status_code',
    );
  });

  it('names each run’s upload uniquely and safely', () => {
    expect(staffbaseImportFileName('people-to-staffbase', 'a1b2/c3 d4')).toBe(
      'rosterflow-people-to-staffbase-a1b2-c3-d4.csv',
    );
  });
});

describe('Staffbase protocol against the fake', () => {
  let fake: StaffbaseFake;
  beforeAll(async () => {
    fake = await StaffbaseFake.start();
  });
  afterAll(() => fake.close());
  afterEach(() => fake.http.clearFaults());

  it('delta: create -> configure -> preview -> poll -> import -> poll -> errors', async () => {
    fake.seedUser('1001', 'registered', {
      eMail: 'ada.lane@example.com',
      'profile-field:firstName': 'Adeline',
      'profile-field:lastName': 'Lane',
    });
    fake.seedUser('1004', 'registered', { eMail: 'ken.thompson@example.com' });
    fake.seedUser('1005', 'pending', { eMail: 'radia.perlman@example.com' });
    fake.seedUser('9999', 'registered', { eMail: 'someone.else@example.com' });
    const config = staffbaseConfig(fake);
    const client = staffbaseClient(config);
    const { headers, csv } = renderUpload(config);
    const fileName = staffbaseImportFileName('people', 'run-delta');

    expect(await findImportByFileName(client, fileName)).toBeUndefined();
    const importId = await createImport(client, { fileName, csv: bufferSource(csv), separator: config.separator });
    expect(importId).toMatch(/^[0-9a-f]{24}$/);
    expect(fake.importById(importId)).toMatchObject({
      fileName,
      fileSize: csv.byteLength,
      recordCount: 5,
      state: 'DRAFT',
    });
    expect(fake.http.requests.at(-1)?.headers.authorization).toBe(`Basic ${STAFFBASE_TOKEN}`);

    // A retried step finds the import instead of uploading a second one.
    expect(await findImportByFileName(client, fileName)).toBe(importId);
    expect(await ensureImport(client, { fileName, csv: bufferSource(csv) })).toEqual({ importId, created: false });
    expect(fake.createRequests()).toBe(1);

    await configureImport(client, importId, buildImportConfig(config, headers));
    await configureImport(client, importId, buildImportConfig(config, headers)); // idempotent
    expect(fake.importById(importId).config).toMatchObject({ delta: true, mapping: { status: 'Status_code' } });

    await requestPreview(client, importId);
    expect(await pollUntil(fake, client, importId, ['PREVIEW_READY'])).toEqual([
      'PREVIEW_PENDING',
      'CREATING_PREVIEW',
      'PREVIEW_READY',
    ]);
    const preview = await getImport(client, importId);
    const expectedCounts = { created: 2, updated: 1, deactivated: 1, deleted: 1, unchanged: 0, warnings: 0 };
    expect(preview).toEqual({ importId, state: 'PREVIEW_READY', recordCount: 5, previewCounts: expectedCounts });
    expect(fake.users.get('1004')?.status).toBe('registered'); // a preview changes nobody

    await requestImport(client, importId);
    await requestImport(client, importId); // asking again is harmless
    expect(await pollUntil(fake, client, importId, ['COMPLETED', 'CANCELLED'])).toEqual([
      'IMPORT_PENDING',
      'IMPORTING',
      'COMPLETED',
    ]);
    expect(await getImport(client, importId)).toMatchObject({ state: 'COMPLETED', importCounts: expectedCounts });
    expect(await getImportErrors(client, importId)).toBe('');

    expect(fake.users.get('1001')).toMatchObject({
      status: 'registered',
      attributes: { 'profile-field:firstName': 'Ada' },
    });
    expect(fake.users.get('1002')?.status).toBe('pending');
    expect(fake.users.get('1003')?.status).toBe('pending');
    expect(fake.users.get('1004')?.status).toBe('deactivated'); // registered leaver: deactivated
    expect(fake.users.has('1005')).toBe(false); // pending leaver: deleted
    expect(fake.users.get('9999')?.status).toBe('registered'); // not in the file: untouched
  });

  it('reads each count on its own: one absent or malformed leaves the others', async () => {
    const config = staffbaseConfig(fake);
    const client = staffbaseClient(config);
    const { csv } = renderUpload(config);
    const importId = await createImport(client, { fileName: 'rosterflow-counts.csv', csv: bufferSource(csv) });
    // The answer Staffbase might give: no `warnings`, `unchanged` not a number, the result not an object.
    fake.http.injectFault({
      times: 1,
      path: new RegExp(`/users/imports/${importId}$`),
      response: {
        status: 200,
        json: {
          id: importId,
          state: 'PREVIEW_READY',
          preview: { created: 3, updated: 1, deactivated: 0, deleted: 2, unchanged: 'n/a' },
          result: 7,
        },
      },
    });
    expect(await getImport(client, importId)).toEqual({
      importId,
      state: 'PREVIEW_READY',
      previewCounts: { created: 3, updated: 1, deactivated: 0, deleted: 2 },
    });
  });

  it('reports illegal transitions, unknown ids and invalid config with the vendor’s words', async () => {
    const config = staffbaseConfig(fake);
    const client = staffbaseClient(config);
    const { headers, csv } = renderUpload(config);
    const importId = await createImport(client, { fileName: 'rosterflow-errors.csv', csv: bufferSource(csv) });

    const noMapping = await rejection(requestImport(client, importId));
    expect(noMapping.message).toBe(
      `Staffbase: PATCH /api/users/imports/${importId} was rejected (HTTP 400): Parameter 'mapping_values' is invalid`,
    );
    const badMapping = await rejection(
      configureImport(client, importId, { ...buildImportConfig(config, headers), mapping: { externalId: 'Nope' } }),
    );
    expect(badMapping).toMatchObject({ type: 'TargetRequestRejected', retryable: false, httpStatus: 400 });
    expect(badMapping.message).toBe(
      `Staffbase: PATCH /api/users/imports/${importId}/config was rejected (HTTP 400): Parameter 'mapping_values' is invalid`,
    );
    const deltaOn = await rejection(
      client.request('PATCH', `users/imports/${importId}/config`, {
        json: { delta: 'On', mapping: { externalId: 'Identifier' } },
      }),
    );
    expect(deltaOn.message).toBe(
      `Staffbase: PATCH /api/users/imports/${importId}/config was rejected (HTTP 400): Parameter 'body' is invalid`,
    );
    // Older pages configure with PUT; the fake accepts both.
    const put = await client.request('PUT', `users/imports/${importId}/config`, {
      json: buildImportConfig(config, headers),
    });
    expect(put.status).toBe(204);

    await requestImport(client, importId); // DRAFT -> IMPORT_PENDING without a preview
    fake.settle();
    const backwards = await rejection(requestPreview(client, importId));
    expect(backwards).toMatchObject({ type: 'TargetRequestRejected', retryable: false, httpStatus: 409 });
    expect(backwards.message).toBe(
      `Staffbase: PATCH /api/users/imports/${importId} was rejected (HTTP 409): Import cannot change from COMPLETED to PREVIEW_PENDING`,
    );

    const missing = await rejection(getImport(client, '64b0fbf58e05e970ffffffff'));
    expect(missing).toMatchObject({ type: 'TargetRequestRejected', httpStatus: 404 });
    expect(missing.message).toBe(
      'Staffbase: GET /api/users/imports/64b0fbf58e05e970ffffffff was rejected (HTTP 404): Resource could not be found',
    );
    expect((await rejection(getImport(client, '../config'))).type).toBe('InvalidInput');
  });

  it('surfaces a state outside the documented set instead of polling on', async () => {
    const config = staffbaseConfig(fake);
    const client = staffbaseClient(config);
    const importId = await createImport(client, {
      fileName: 'rosterflow-odd-state.csv',
      csv: bufferSource(renderUpload(config).csv),
    });
    fake.reportState(importId, 'FAILED');
    const status = await getImport(client, importId);
    expect(status).toEqual({ importId, state: 'UNRECOGNIZED', reportedState: 'FAILED' });
    const error = (() => {
      try {
        assertKnownState(status);
        return undefined;
      } catch (err) {
        return err as RosterflowError;
      }
    })();
    expect(error).toMatchObject({ type: 'TargetInvalidResponse', retryable: false });
    expect(error?.message).toBe(
      `Staffbase: import ${importId} reports the state "FAILED", which is not one of DRAFT, PREVIEW_PENDING, ` +
        'CREATING_PREVIEW, PREVIEW_READY, IMPORT_PENDING, IMPORTING, COMPLETED, CANCELLED; check the import in Staffbase Studio',
    );
    fake.reportState(importId, undefined);
    const known = await getImport(client, importId);
    assertKnownState(known);
    expect(known.state).toBe('DRAFT');
  });

  it('never retries the upload after a 5xx, but retries reads', async () => {
    const config = staffbaseConfig(fake);
    const client = staffbaseClient(config);
    const { csv } = renderUpload(config);
    const before = { requests: fake.createRequests(), imports: fake.importsCreated };

    fake.failNext(1, 503, /^\/api\/users\/imports$/);
    const outage = await rejection(createImport(client, { fileName: 'rosterflow-outage.csv', csv: bufferSource(csv) }));
    expect(outage).toMatchObject({ type: 'TargetUnavailable', retryable: true, httpStatus: 503 });
    expect(outage.message).toBe('Staffbase: POST /api/users/imports failed (HTTP 503): Service Unavailable');
    expect(fake.createRequests()).toBe(before.requests + 1);
    expect(fake.importsCreated).toBe(before.imports);

    // Staffbase stored the file but the answer was lost: the retry finds it rather than uploading again.
    fake.failAfterCreate = 1;
    const lost = await rejection(createImport(client, { fileName: 'rosterflow-lost.csv', csv: bufferSource(csv) }));
    expect(lost).toMatchObject({ type: 'TargetUnavailable', httpStatus: 502 });
    expect(fake.createRequests()).toBe(before.requests + 2);
    const { importId, created } = await ensureImport(client, {
      fileName: 'rosterflow-lost.csv',
      csv: bufferSource(csv),
    });
    expect(created).toBe(false);
    expect(fake.importById(importId).fileName).toBe('rosterflow-lost.csv');
    expect(fake.createRequests()).toBe(before.requests + 2);
    expect(fake.importsCreated).toBe(before.imports + 1);

    const reads = fake.http.requestsTo(/\/api\/users\/imports\/[0-9a-f]+$/).length;
    fake.failNext(2, 503, /\/api\/users\/imports\/[0-9a-f]+$/);
    expect((await getImport(client, importId)).state).toBe('DRAFT');
    expect(fake.http.requestsTo(/\/api\/users\/imports\/[0-9a-f]+$/).length).toBe(reads + 3);
  });

  it('fails with TargetAuthFailed on a wrong token, and never echoes it', async () => {
    const config = staffbaseConfig(fake, { apiToken: { env: 'STAFFBASE_WRONG_TOKEN' } });
    const error = await rejection(getImport(staffbaseClient(config), '64b0fbf58e05e970ffffffff'));
    expect(error).toMatchObject({ type: 'TargetAuthFailed', retryable: false, httpStatus: 401 });
    expect(error.message).not.toContain('bm90LXRoZS10b2tlbg');
    const unset = createStaffbaseHttpClient({ ...config, apiToken: { env: 'STAFFBASE_UNSET' } }, resolveSecret);
    expect((await rejection(getImport(unset, '64b0fbf58e05e970ffffffff'))).type).toBe('SecretUnavailable');
  });
});

describe('Staffbase full import against the fake (polling moves its clock)', () => {
  let fake: StaffbaseFake;
  beforeAll(async () => {
    fake = await StaffbaseFake.start({ autoAdvanceOnPoll: true, absoluteLocation: true });
  });
  afterAll(() => fake.close());

  it('deactivates registered and deletes pending users missing from the file', async () => {
    fake.seedUser('1001', 'registered', {
      eMail: 'ada.lane@example.com',
      'profile-field:firstName': 'Ada',
      'profile-field:lastName': 'Lane',
    });
    fake.seedUser('1004', 'registered');
    fake.seedUser('1005', 'pending');
    fake.seedUser('9999', 'registered');
    fake.seedUser('8888', 'deactivated');
    const config = staffbaseConfig(fake, { mode: 'full', allowFullImport: true });
    const client = staffbaseClient(config);
    const { headers, csv } = renderUpload(config);

    const { importId, created } = await ensureImport(client, {
      fileName: 'rosterflow-full.csv',
      csv: bufferSource(csv),
    });
    expect(created).toBe(true);
    expect(fake.importById(importId).recordCount).toBe(3);
    await configureImport(client, importId, buildImportConfig(config, headers));
    expect(fake.importById(importId).config.delta).toBe(false);

    const until = async (state: string) => {
      for (let poll = 0; poll < 10; poll += 1) {
        const status = await getImport(client, importId);
        if (status.state === state) return status;
      }
      throw new Error(`never reached ${state}`);
    };
    await requestPreview(client, importId);
    const expectedCounts = { created: 2, updated: 0, deactivated: 2, deleted: 1, unchanged: 1, warnings: 0 };
    expect(await until('PREVIEW_READY')).toMatchObject({ previewCounts: expectedCounts });
    await requestImport(client, importId);
    expect(await until('COMPLETED')).toMatchObject({ importCounts: expectedCounts });

    const statuses = Object.fromEntries([...fake.users.values()].map((user) => [user.externalId, user.status]));
    expect(statuses).toEqual({
      '1001': 'registered',
      '1002': 'pending',
      '1003': 'pending',
      '1004': 'deactivated',
      '9999': 'deactivated',
      '8888': 'deactivated',
    });
  });
});

describe('Staffbase import listing', () => {
  let fake: StaffbaseFake;
  beforeAll(async () => {
    fake = await StaffbaseFake.start();
  });
  afterAll(() => fake.close());

  it('follows cursors to find an older import, and skips cancelled ones', async () => {
    const config = staffbaseConfig(fake);
    const client = staffbaseClient(config);
    const { csv } = renderUpload(config);
    const first = await createImport(client, { fileName: 'rosterflow-oldest.csv', csv: bufferSource(csv) });
    for (let n = 0; n < 24; n += 1)
      await createImport(client, { fileName: `rosterflow-newer-${n}.csv`, csv: bufferSource(csv) });

    const listed = fake.http.requestsTo(/^\/api\/users\/imports$/).filter((request) => request.method === 'GET').length;
    expect(await findImportByFileName(client, 'rosterflow-oldest.csv')).toBe(first);
    const pages = fake.http.requestsTo(/^\/api\/users\/imports$/).filter((request) => request.method === 'GET');
    expect(pages.length - listed).toBe(2);
    expect(pages.at(-1)?.query.get('cursor')).toBeTruthy();

    fake.cancel(first);
    expect(await findImportByFileName(client, 'rosterflow-oldest.csv')).toBeUndefined();
    expect(await findImportByFileName(client, 'rosterflow-never.csv')).toBeUndefined();
  });
});

describe('Staffbase preview check', () => {
  const safety = { maxDeactivationPercent: 10 };
  const judge = (counts: Record<string, number> | undefined, mode: 'full' | 'delta' = 'full', fileRows = 100) =>
    judgeStaffbasePreview({ importId: 'imp1', counts, mode, safety, fileRows });

  it('passes a full import on the deactivation and deletion counts alone', () => {
    expect(judge({ deactivated: 2, deleted: 1 })).toEqual({ verdict: 'pass' });
    expect(judge({ created: 90, updated: 5, unchanged: 5, deactivated: 2, deleted: 1, warnings: 0 })).toEqual({
      verdict: 'pass',
    });
  });

  it('trips on what it knows, counting the users listed from the file when their counts are missing', () => {
    expect(judge({ deactivated: 20, deleted: 0 })).toEqual({
      verdict: 'trip',
      reason: 'The Staffbase preview would deactivate or delete 20 of 120 users (16.7%), over the limit (10%)',
    });
    // The known part is already over: the missing count could only add to it.
    expect(judge({ deactivated: 20 })).toMatchObject({
      verdict: 'trip',
      reason: expect.stringMatching(
        /^The Staffbase preview would deactivate or delete at least 20 of 120 users/,
      ) as string,
    });
  });

  it('names the missing count when a full import cannot be judged; a delta import relies on its plan', () => {
    expect(judge({ created: 1, deactivated: 0 })).toEqual({
      verdict: 'unknown',
      missing: ['deleted'],
      reason:
        'The Staffbase preview of import imp1 does not report the "deleted" count; a full import is not run ' +
        'without knowing how many users it would deactivate and delete',
    });
    expect(judge(undefined)).toMatchObject({ verdict: 'unknown', missing: ['deactivated', 'deleted'] });
    expect(judge(undefined, 'delta')).toEqual({ verdict: 'pass' });
    expect(judge({ deactivated: 30 }, 'delta')).toMatchObject({ verdict: 'trip' });
  });
});

describe('Staffbase error report', () => {
  it('reads line, identifier and code by header name, never the message', () => {
    const report = [
      'line,externalId,code,message',
      '2,1001,CSV_DUPLICATE_EMAIL,ada@example.com belongs to another user',
      '4,,CSV_MISSING_EXTERNAL_ID,the identifier is empty',
      '5,1005,CSV_DUPLICATE_EMAIL,"x@example.com, taken"',
      '',
    ].join('\n');
    expect(parseStaffbaseErrorReport(report)).toEqual({
      vendor: 'Staffbase',
      count: 3,
      codes: [
        { code: 'CSV_DUPLICATE_EMAIL', rows: 2 },
        { code: 'CSV_MISSING_EXTERNAL_ID', rows: 1 },
      ],
      rows: [
        { line: 2, externalId: '1001', code: 'CSV_DUPLICATE_EMAIL' },
        { line: 4, code: 'CSV_MISSING_EXTERNAL_ID' },
        { line: 5, externalId: '1005', code: 'CSV_DUPLICATE_EMAIL' },
      ],
    });
    expect(JSON.stringify(parseStaffbaseErrorReport(report))).not.toMatch(/example\.com/);
  });

  it('takes other column names, orders and separators; what it cannot find stays unknown', () => {
    expect(parseStaffbaseErrorReport('Error Code;Row\nCSV_INVALID_EMAIL;7\n')).toMatchObject({
      count: 1,
      rows: [{ line: 7, code: 'CSV_INVALID_EMAIL' }],
    });
    // A "code" that is a sentence (it could quote a value) is not kept.
    expect(parseStaffbaseErrorReport('code\nemail a@b.c is taken\n').rows).toEqual([{}]);
    expect(parseStaffbaseErrorReport('')).toMatchObject({ count: 0, rows: [] });
  });
});
