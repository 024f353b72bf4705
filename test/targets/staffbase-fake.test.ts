import { Buffer } from 'node:buffer';
import { setTimeout } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bufferSource } from '../../io/streamed-form';
import { RosterflowError } from '../../core/errors';
import {
  buildImportConfig,
  configureImport,
  createImport,
  getImport,
  getImportErrors,
  requestImport,
  requestPreview,
} from '../../targets/staffbase/client';
import type { StaffbaseTargetConfig } from '../../targets/staffbase/config';
import { createStaffbaseLayouts } from '../../targets/staffbase/layout';
import { pollUntil, renderCsv, renderUpload, staffbaseClient, staffbaseConfig } from '../fakes/staffbase/harness';
import { FAKE_IMPORT_STATES, StaffbaseFake } from '../fakes/staffbase/server';

async function rejection(promise: Promise<unknown>): Promise<RosterflowError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof RosterflowError)) throw new Error(`expected a RosterflowError, got ${String(error)}`);
  return error;
}

/** Waits (a bounded number of short turns) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 500 && !condition(); turn += 1) await setTimeout(10);
  if (!condition()) throw new Error('the condition never held');
}

describe('Staffbase fake', () => {
  let fake: StaffbaseFake;
  let config: StaffbaseTargetConfig;
  let client: ReturnType<typeof staffbaseClient>;
  let uploads = 0;

  /** A configured import of `csv` (default: the standard employees), in DRAFT. */
  async function draft(csv?: string, columns?: unknown[]): Promise<string> {
    const importConfig = columns ? staffbaseConfig(fake, { columns }) : config;
    const upload = renderUpload(importConfig);
    const bytes = csv === undefined ? upload.csv : Buffer.from(csv, 'utf8');
    uploads += 1;
    const importId = await createImport(client, {
      fileName: `rosterflow-fake-${uploads}.csv`,
      csv: bufferSource(bytes),
    });
    const headers = fake.importById(importId).headers;
    await configureImport(client, importId, buildImportConfig(importConfig, headers));
    return importId;
  }

  beforeAll(async () => {
    fake = await StaffbaseFake.start();
    config = staffbaseConfig(fake);
    client = staffbaseClient(config);
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.http.clearFaults();
    fake.store.users.clear();
    fake.omittedCounts = new Set();
    fake.refuseCancellation = false;
  });

  it('validates uploads with the documented messages', async () => {
    const withoutFile = new FormData();
    withoutFile.append('separator', ',');
    const missing = await rejection(client.request('POST', 'users/imports', { multipart: withoutFile }));
    expect(missing.message).toBe('Staffbase: POST /api/users/imports was rejected (HTTP 400): Missing form file');

    const latin1 = Buffer.concat([
      Buffer.from('Identifier,Last Name\n1,M'),
      Buffer.from([0xfc]),
      Buffer.from('ller\n'),
    ]);
    const notUtf8 = await rejection(
      createImport(client, { fileName: 'rosterflow-latin1.csv', csv: bufferSource(latin1) }),
    );
    expect(notUtf8.message).toBe('Staffbase: POST /api/users/imports was rejected (HTTP 400): invalid UTF8 format');

    const semicolons = Buffer.from('Identifier;Email Address\n1;a@example.com\n');
    const wrongSeparator = await rejection(
      createImport(client, { fileName: 'rosterflow-semicolon.csv', csv: bufferSource(semicolons), separator: ',' }),
    );
    expect(wrongSeparator.message).toBe(
      'Staffbase: POST /api/users/imports was rejected (HTTP 400): invalid separator selected',
    );
    const accepted = await createImport(client, {
      fileName: 'rosterflow-semicolon.csv',
      csv: bufferSource(semicolons),
      separator: ';',
    });
    expect(fake.importById(accepted)).toMatchObject({ recordCount: 1, headers: ['Identifier', 'Email Address'] });
  });

  it('rejects mapping keys that are no attribute or profile field of the tenant', async () => {
    const importId = await draft();
    const error = await rejection(
      configureImport(client, importId, {
        ...buildImportConfig(config, fake.importById(importId).headers),
        mapping: { externalId: 'Identifier', 'profile-field:Cost Center': 'First Name' },
      }),
    );
    expect(error.message).toBe(
      `Staffbase: PATCH /api/users/imports/${importId}/config was rejected (HTTP 400): Parameter 'mapping_keys' is invalid`,
    );
  });

  it('interrupted imports resume from the last successful line without duplicating anyone', async () => {
    const importId = await draft();
    await requestPreview(client, importId);
    fake.settle();
    const preview = (await getImport(client, importId)) as { previewCounts?: unknown };
    fake.interruptAtLine(importId, 4); // lines 2 and 3 (1001, 1002) go in, then it stops
    await requestImport(client, importId);
    fake.advance(2);
    expect(fake.importById(importId)).toMatchObject({ state: 'IMPORTING', interruptions: 1 });
    expect([...fake.users.keys()]).toEqual(['1001', '1002']);
    fake.advance();
    expect(await getImport(client, importId)).toMatchObject({
      state: 'COMPLETED',
      importCounts: preview.previewCounts,
    });
    expect([...fake.users.keys()].sort()).toEqual(['1001', '1002', '1003']);
    expect(fake.importById(importId).result).toMatchObject({ created: 3, unchanged: 2 });
  });

  it('runs queued imports one after another', async () => {
    const first = await draft();
    const second = await draft();
    await requestImport(client, first);
    await requestImport(client, second);
    fake.advance();
    expect([fake.importById(first).state, fake.importById(second).state]).toEqual(['IMPORTING', 'IMPORT_PENDING']);
    fake.advance();
    expect([fake.importById(first).state, fake.importById(second).state]).toEqual(['COMPLETED', 'IMPORTING']);
    fake.advance();
    expect(fake.importById(second).result).toMatchObject({ created: 0, unchanged: 5 });
    expect(fake.userCreates).toBeGreaterThanOrEqual(3);
  });

  it('cancels, sticks and keeps cancelled imports cancelled', async () => {
    const cancelled = await draft();
    fake.cancelAt(cancelled, 'CREATING_PREVIEW');
    await requestPreview(client, cancelled);
    expect(await pollUntil(fake, client, cancelled, ['PREVIEW_READY', 'CANCELLED'])).toEqual([
      'PREVIEW_PENDING',
      'CREATING_PREVIEW',
      'CANCELLED',
    ]);
    const again = await rejection(requestImport(client, cancelled));
    expect(again.message).toBe(
      `Staffbase: PATCH /api/users/imports/${cancelled} was rejected (HTTP 409): Import cannot change from CANCELLED to IMPORT_PENDING`,
    );

    const stuck = await draft();
    await requestPreview(client, stuck);
    fake.advance();
    fake.stick(stuck);
    fake.advance(5);
    expect((await getImport(client, stuck)).state).toBe('CREATING_PREVIEW');
    fake.stick(stuck, false);
    fake.advance();
    expect((await getImport(client, stuck)).state).toBe('PREVIEW_READY');
  });

  it('cancels through the state change until the import starts, and can refuse to', async () => {
    const fresh = await draft();
    await client.request('PATCH', `users/imports/${fresh}`, { json: { state: 'CANCELLED' } });
    expect(fake.importById(fresh).stateLog).toEqual(['DRAFT', 'CANCELLED']);

    const previewed = await draft();
    await requestPreview(client, previewed);
    fake.settle();
    fake.refuseCancellation = true;
    const refused = await rejection(
      client.request('PATCH', `users/imports/${previewed}`, { json: { state: 'CANCELLED' } }),
    );
    expect(refused.message).toMatch(/\(HTTP 409\): Import cannot change from PREVIEW_READY to CANCELLED$/);
    fake.refuseCancellation = false;
    await client.request('PATCH', `users/imports/${previewed}`, { json: { state: 'CANCELLED' } });
    expect((await getImport(client, previewed)).state).toBe('CANCELLED');

    const imported = await draft();
    await requestImport(client, imported);
    fake.settle();
    const late = await rejection(
      client.request('PATCH', `users/imports/${imported}`, { json: { state: 'CANCELLED' } }),
    );
    expect(late.message).toMatch(/Import cannot change from COMPLETED to CANCELLED$/);
  });

  it('can leave any count out of the preview and the result, as the real API may', async () => {
    for (const omitted of ['created', 'updated', 'deactivated', 'deleted', 'unchanged', 'warnings'] as const) {
      fake.omittedCounts = new Set([omitted]);
      const importId = await draft();
      await requestPreview(client, importId);
      fake.settle();
      const preview = await getImport(client, importId);
      expect(preview.state).toBe('PREVIEW_READY');
      const previewCounts = (preview as { previewCounts?: Record<string, number> }).previewCounts ?? {};
      expect(Object.keys(previewCounts)).not.toContain(omitted);
      expect(Object.keys(previewCounts)).toHaveLength(5);
      await requestImport(client, importId);
      fake.settle();
      const result = (await getImport(client, importId)) as { importCounts?: Record<string, number> };
      expect(Object.keys(result.importCounts ?? {}).sort()).toEqual(
        ['created', 'updated', 'deactivated', 'deleted', 'unchanged', 'warnings']
          .filter((name) => name !== omitted)
          .sort(),
      );
    }
  });

  it('keeps the configuration editable until the import starts; a new one makes the preview stale', async () => {
    const importId = await draft();
    const body = buildImportConfig(config, fake.importById(importId).headers);
    await requestPreview(client, importId);
    fake.settle();
    await configureImport(client, importId, { ...body, sendMailsNew: true });
    expect(fake.importById(importId)).toMatchObject({ state: 'DRAFT', config: { sendMailsNew: true } });
    expect(fake.importById(importId).preview).toBeUndefined();

    await requestImport(client, importId);
    fake.advance();
    const late = await rejection(configureImport(client, importId, body));
    expect(late.httpStatus).toBe(409);
    const put = await rejection(
      client.request('PUT', `users/imports/${importId}`, { json: { state: 'IMPORT_PENDING' } }),
    );
    expect(put.httpStatus).toBe(405);
    const notRequestable = await rejection(requestPreviewAs(importId, 'COMPLETED'));
    expect(notRequestable.message).toBe(
      `Staffbase: PATCH /api/users/imports/${importId} was rejected (HTTP 400): Parameter 'body' is invalid`,
    );
  });

  function requestPreviewAs(importId: string, state: string) {
    return client.request('PATCH', `users/imports/${importId}`, { json: { state } });
  }

  it('skips faulty rows and properties, listing them in the errors CSV', async () => {
    const csv = [
      'Identifier,Email Address,Status_code',
      '2001,not-an-email,Activated',
      '2001,dup@example.com,Activated',
      ',empty@example.com,Activated',
      '2002,x@example.com,Maybe',
      '2003,,Deactivated',
      '',
    ].join('\n');
    const importId = await draft(csv, [
      { header: 'Identifier', attribute: 'externalId' },
      { header: 'Email Address', field: 'workEmail', attribute: 'eMail' },
    ]);
    await requestImport(client, importId);
    fake.settle();
    expect(await getImport(client, importId)).toMatchObject({
      state: 'COMPLETED',
      importCounts: { created: 2, updated: 0, deactivated: 0, deleted: 0, unchanged: 1, warnings: 4 },
    });
    expect(await getImportErrors(client, importId)).toBe(
      [
        'line,externalId,code,message',
        '2,2001,CSV_INVALID_EMAIL,the email address is malformed; email skipped',
        '3,2001,CSV_DUPLICATE_EXTERNAL_ID,the identifier repeats an earlier row; row skipped',
        '4,,CSV_MISSING_EXTERNAL_ID,the identifier is empty; row skipped',
        '5,2002,CSV_INVALID_STATUS,the status is neither Activated nor Deactivated; status skipped',
        '',
      ].join('\n'),
    );
    // The report's columns are not public: the fake can write others, in another order.
    fake.errorReportColumns = ['code', 'line'];
    try {
      expect((await getImportErrors(client, importId)).split('\n').slice(0, 2)).toEqual([
        'code,line',
        'CSV_INVALID_EMAIL,2',
      ]);
    } finally {
      fake.errorReportColumns = ['line', 'externalId', 'code', 'message'];
    }
    expect(fake.users.get('2001')?.attributes).toEqual({});
    expect(fake.users.get('2002')).toMatchObject({ status: 'pending', attributes: { eMail: 'x@example.com' } });
  });

  it('reactivates a deactivated user listed as Activated, returning them to registered', async () => {
    fake.seedUser('1001', 'deactivated', { eMail: 'ada.lane@example.com' });
    fake.seedUser('1003', 'pending', { eMail: 'alan.turing@example.com' });
    fake.register('1003');
    const importId = await draft();
    await requestImport(client, importId);
    fake.settle();
    expect(fake.users.get('1001')?.status).toBe('registered');
    expect(fake.users.get('1003')?.status).toBe('registered');
    expect(fake.importById(importId).result).toMatchObject({ created: 1, updated: 2, unchanged: 2 });
  });

  it('answers 429 with Retry-After (reads wait it out) and 403 for a token without admin rights', async () => {
    const importId = await draft();
    fake.rateLimitNext(1, 1, /\/api\/users\/imports\/[0-9a-f]+$/);
    expect((await getImport(client, importId)).state).toBe('DRAFT');

    fake.rateLimitNext(1, 30, /^\/api\/users\/imports$/);
    const before = fake.importsCreated;
    const limited = await rejection(
      createImport(client, { fileName: 'rosterflow-limited.csv', csv: bufferSource(renderUpload(config).csv) }),
    );
    expect(limited).toMatchObject({ type: 'RateLimited', retryAfterMs: 30_000, retryable: true });
    expect(fake.importsCreated).toBe(before);

    fake.tokenWithoutAdminRights = true;
    try {
      const denied = await rejection(getImport(client, importId));
      expect(denied).toMatchObject({ type: 'TargetAuthFailed', httpStatus: 403, retryable: false });
    } finally {
      fake.tokenWithoutAdminRights = false;
    }
  });

  it('applies a large import in the background: polls are answered while it is still being applied', async () => {
    const [layout] = createStaffbaseLayouts(config);
    const people = Array.from({ length: 10_000 }, (_, n) => ({
      sourceId: String(5000 + n),
      workEmail: `person${n}@example.com`,
      firstName: 'Pat',
      lastName: `Doe ${n}`,
      status: 'active' as const,
    }));
    const importId = await draft(renderCsv(layout!, people));
    fake.inlineRecords = 1000;
    let resume = fake.pauseBackground();
    try {
      await requestPreview(client, importId);
      fake.advance(2); // CREATING_PREVIEW, and the dry run starts in the background
      expect(await getImport(client, importId)).toMatchObject({ state: 'CREATING_PREVIEW' });
      resume();
      await fake.idle();
      expect(await getImport(client, importId)).toMatchObject({
        state: 'PREVIEW_READY',
        previewCounts: { created: 10_000 },
      });
      expect(fake.users.size).toBe(0); // a preview changes nobody

      resume = fake.pauseBackground();
      await requestImport(client, importId);
      fake.advance(2); // IMPORTING, and the rows start going in
      await until(() => (fake.importById(importId).progress?.nextRow ?? 0) > 0);
      expect(await getImport(client, importId)).toMatchObject({ state: 'IMPORTING' });
      expect(fake.users.size).toBeGreaterThan(0);
      expect(fake.users.size).toBeLessThan(10_000);
      resume();
      await fake.idle();
      expect(await getImport(client, importId)).toMatchObject({
        state: 'COMPLETED',
        importCounts: { created: 10_000 },
      });
      expect(fake.users.size).toBe(10_000);
      // Every state on the way, in order: none skipped while the rows were applied.
      expect(fake.importById(importId).stateLog).toEqual(FAKE_IMPORT_STATES.filter((state) => state !== 'CANCELLED'));
    } finally {
      resume();
      fake.inlineRecords = 5000;
    }
  });
});
