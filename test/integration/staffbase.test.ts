import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { summarizeFailure } from '../../core/failure-summary';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SyncRosterResult, syncRoster } from '../../workflows/sync-roster';
import { STAFFBASE_TOKEN, StaffbaseFake } from '../fakes/staffbase/server';
import { exampleConfig } from '../support/example-config';
import { runCli } from '../support/cli';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

let harness: Harness;
let staffbase: StaffbaseFake;

/** The example HR export delivered to Staffbase in delta mode, polling every second. */
function staffbaseConfig(
  sourcePath = 'data/acme-hr-export.csv',
  safety: Record<string, unknown> = {},
  syncSafety: Record<string, unknown> = {},
) {
  const config = exampleConfig();
  const base = config.syncs[0]!;
  const target = {
    type: 'staffbase',
    baseUrl: staffbase.baseUrl,
    apiToken: { env: 'STAFFBASE_TEST_TOKEN' },
    polling: { initialInterval: '1s', maxInterval: '2s', timeout: '2m' },
    safety,
  };
  config.syncs = [
    {
      id: 'acme-staffbase',
      source: { ...base.source, path: sourcePath },
      target: target as never,
      safety: syncSafety,
    },
  ];
  return config;
}

beforeAll(async () => {
  staffbase = await StaffbaseFake.start({ autoAdvanceOnPoll: true });
  process.env['STAFFBASE_TEST_TOKEN'] = STAFFBASE_TOKEN;
  harness = await startHarness('staffbase');
});
afterAll(async () => {
  await harness.close();
  await staffbase.close();
  delete process.env['STAFFBASE_TEST_TOKEN'];
});

const start = () =>
  harness.client.workflow.start<typeof syncRoster>('syncRoster', {
    taskQueue: harness.taskQueue,
    workflowId: `acme-staffbase-${Date.now()}`,
    args: [{ syncId: 'acme-staffbase' }],
  });
const run = async (): Promise<SyncRosterResult> => (await start()).result();

/** The failure a run ended with (its ApplicationFailure), and its run record. */
async function failedRun(handle: WorkflowHandleWithFirstExecutionRunId) {
  const error = await handle.result().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  // What an operator is shown: the failed step's type and message (the workflow's own failure leads with them).
  const failure = summarizeFailure((error as WorkflowFailedError).cause);
  return { failure, record: (await harness.store.runs.get(handle.firstExecutionRunId))! };
}

/** Waits until the run's `hold` query reports a pending hold. */
async function held(handle: WorkflowHandle): Promise<void> {
  for (let tries = 0; tries < 240; tries += 1) {
    if (await handle.query<unknown>('hold')) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${handle.workflowId} never held`);
}

/** An export in which everyone but Ada has left (written by the preview-trip test). */
const LEAVERS = [
  'Employee ID,Employee #,First Name,Last Name,Preferred Name,Work Email,Status,Hire Date,Termination Date,Job Title,Department,Location,Manager ID,Team',
  ...['1002', '1003', '1005', '1006', '1007', '1008', '1009', '1010'].map(
    (id) => `${id},E-${id},X,Y,,p${id}@acme.example,Terminated,2020-01-01,2026-11-01,T,D,L,,T`,
  ),
  '1001,E-001,Ada,Lovelace,,ada.lovelace@acme.example,Active,2019-03-04,,Chief Engineer,Engineering,London,,Platform',
];
/** The preview's limit trips; the sync's own deactivation rule (which would hold first) stays out of the way. */
const previewTrips = (onPreviewTrip: 'fail' | 'hold', syncSafety: Record<string, unknown> = {}) =>
  staffbaseConfig(
    'data/leavers.csv',
    { maxDeactivationPercent: 20 },
    { onPreviewTrip, maxDeactivationPercent: 100, ...syncSafety },
  );
const eventsOf = (record: { events?: { kind: string; detail: string }[] }) =>
  (record.events ?? []).map((event) => `${event.kind}: ${event.detail}`);

describe('Staffbase delivery through the workflow', () => {
  it('goes through every import state, imports the delta and records the counts', async () => {
    await harness.writeConfig(staffbaseConfig());
    const result = await run();
    expect(result.delivered?.target).toBe('staffbase');
    expect(staffbase.importsCreated).toBe(1);

    const every = [
      'DRAFT',
      'PREVIEW_PENDING',
      'CREATING_PREVIEW',
      'PREVIEW_READY',
      'IMPORT_PENDING',
      'IMPORTING',
      'COMPLETED',
    ];
    expect([...staffbase.imports.values()].at(-1)!.stateLog).toEqual(every);
    // The run record keeps each state a poll saw, in order (the short-lived pending states can pass unseen).
    const run1 = await harness.store.runs.get(result.runId);
    const seen = run1!.delivery!.states!.map((entry) => entry.state);
    expect(seen).toEqual(every.filter((state) => seen.includes(state)));
    expect(seen).toEqual(expect.arrayContaining(['DRAFT', 'PREVIEW_READY', 'IMPORTING', 'COMPLETED']));
    expect(run1!.delivery).toMatchObject({ remoteId: expect.any(String) as string, errorReport: { rows: 0 } });
    // Preview and result counts of a delta run are both in the record.
    expect(run1!.delivery!.preview).toMatchObject({ created: 9 });
    expect(run1!.delivery!.result).toMatchObject({ created: 9, warnings: 0 });
    expect(run1!.status).toBe('succeeded');
    expect(result.status).toBe('succeeded');
    // Nine current people imported; the leaver is a Deactivated row Staffbase did not know yet.
    expect([...staffbase.users.values()].filter((user) => user.status !== 'deactivated')).toHaveLength(9);
    expect(staffbase.users.get('1001')?.attributes['eMail']).toBe('ada.lovelace@acme.example');
  });

  it('uploads the rendered file streamed from the store, never read whole, and its exact bytes arrive', async () => {
    await harness.writeConfig(staffbaseConfig());
    const read = vi.spyOn(harness.store.artifacts, 'read');
    const openReader = vi.spyOn(harness.store.artifacts, 'openReader');
    try {
      const result = await run();
      const [artifact] = (await harness.store.runs.get(result.runId))!.artifacts!;
      expect(read).not.toHaveBeenCalled();
      expect(openReader).toHaveBeenCalledWith(artifact!.id);
      const uploaded = [...staffbase.imports.values()].at(-1)!;
      expect(`sha256:${uploaded.file.sha256}`).toBe(artifact!.checksum);
      expect(uploaded.file.bytes).toBe(artifact!.bytes);
    } finally {
      read.mockRestore();
      openReader.mockRestore();
    }
  });

  it('finds its own import again when the upload answer was lost, never creating a second', async () => {
    await harness.writeConfig(staffbaseConfig());
    const before = staffbase.importsCreated;
    staffbase.failAfterCreate = 1;
    const result = await run();
    expect(result.delivered?.target).toBe('staffbase');
    expect(staffbase.importsCreated - before).toBe(1);
  });

  it('stops before importing when the preview would deactivate too many people (onPreviewTrip: fail), cancelling the import', async () => {
    await writeFile(join(harness.dataDir, 'leavers.csv'), `${LEAVERS.join('\n')}\n`);
    await harness.writeConfig(previewTrips('fail'));
    const before = new Map([...staffbase.users].map(([id, user]) => [id, user.status]));

    const { failure, record } = await failedRun(await start());
    expect(failure.type).toBe('SafetyRuleTripped');
    expect(failure.message).toMatch(/^The Staffbase preview would deactivate or delete 8 of \d+ users/);
    // Nothing imported, and the import is not left waiting in PREVIEW_READY.
    const latest = [...staffbase.imports.values()].at(-1)!;
    expect(latest.stateLog.slice(-2)).toEqual(['PREVIEW_READY', 'CANCELLED']);
    expect(new Map([...staffbase.users].map(([id, user]) => [id, user.status]))).toEqual(before);
    expect(record.status).toBe('failed');
    expect(record.error?.type).toBe('SafetyRuleTripped');
    expect(record.delivery?.states?.at(-1)?.state).toBe('CANCELLED');
    expect(record.delivery?.preview).toMatchObject({ deactivated: 0, deleted: 8 });
    expect(eventsOf(record)).toContain(
      `import-cancelled: Staffbase import ${latest.id} was cancelled (it was PREVIEW_READY)`,
    );
  });

  it('cancels the import of a run rejected at a preview hold, and records it', async () => {
    await writeFile(join(harness.dataDir, 'leavers.csv'), `${LEAVERS.join('\n')}\n`);
    await harness.writeConfig(previewTrips('hold'));
    const handle = await start();
    await held(handle);
    const waiting = [...staffbase.imports.values()].at(-1)!;
    expect(waiting.state).toBe('PREVIEW_READY');
    await handle.executeUpdate('decideHold', { args: [{ approve: false, by: 'ops', reason: 'not a real exodus' }] });

    const { failure, record } = await failedRun(handle);
    expect(failure.type).toBe('HoldRejected');
    expect(waiting.state).toBe('CANCELLED');
    expect(record).toMatchObject({ status: 'failed', error: { type: 'HoldRejected' } });
    expect(record.delivery?.states?.at(-1)?.state).toBe('CANCELLED');
    expect(eventsOf(record)).toContain(
      `import-cancelled: Staffbase import ${waiting.id} was cancelled (it was PREVIEW_READY)`,
    );
  });

  it('cancels the import of a run whose preview hold expired', async () => {
    await writeFile(join(harness.dataDir, 'leavers.csv'), `${LEAVERS.join('\n')}\n`);
    await harness.writeConfig(previewTrips('hold', { holdExpiresAfter: '2s' }));
    const { failure, record } = await failedRun(await start());
    expect(failure.type).toBe('HoldExpired');
    const latest = [...staffbase.imports.values()].at(-1)!;
    expect(latest.stateLog.slice(-2)).toEqual(['PREVIEW_READY', 'CANCELLED']);
    expect(record).toMatchObject({ status: 'failed', error: { type: 'HoldExpired' }, hold: { expired: true } });
    expect(eventsOf(record)).toContain(
      `import-cancelled: Staffbase import ${latest.id} was cancelled (it was PREVIEW_READY)`,
    );
  });

  it('cancels an import whose upload answer named no import, found by the run’s file name', async () => {
    await harness.writeConfig(staffbaseConfig());
    staffbase.dropLocation = 1;
    const handle = await start();
    const { failure, record } = await failedRun(handle);
    expect(failure.type).toBe('TargetInvalidResponse');
    const latest = [...staffbase.imports.values()].at(-1)!;
    expect(latest.fileName).toContain(handle.firstExecutionRunId);
    expect(latest.stateLog).toEqual(['DRAFT', 'CANCELLED']);
    expect(record.error?.type).toBe('TargetInvalidResponse');
    expect(eventsOf(record)).toContain(`import-cancelled: Staffbase import ${latest.id} was cancelled (it was DRAFT)`);
  });

  it('says in the run record when Staffbase refuses to cancel, keeping the run its own failure', async () => {
    await writeFile(join(harness.dataDir, 'leavers.csv'), `${LEAVERS.join('\n')}\n`);
    await harness.writeConfig(previewTrips('fail'));
    staffbase.refuseCancellation = true;
    try {
      const { failure, record } = await failedRun(await start());
      expect(failure.type).toBe('SafetyRuleTripped');
      expect(record.error?.type).toBe('SafetyRuleTripped');
      const latest = [...staffbase.imports.values()].at(-1)!;
      expect(latest.state).toBe('PREVIEW_READY');
      expect(eventsOf(record)).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^import-cancel-refused: Staffbase import ${latest.id} could not be cancelled \\(TargetRequestRejected: .*HTTP 409`,
          ),
        ),
      );
    } finally {
      staffbase.refuseCancellation = false;
    }
  });

  it('runs a full import whose preview reports no `warnings` count, recording the counts it did report', async () => {
    const config = staffbaseConfig();
    Object.assign(config.syncs[0]!.target as Record<string, unknown>, { mode: 'full', allowFullImport: true });
    await harness.writeConfig(config);
    staffbase.omittedCounts = new Set(['warnings']);
    try {
      const result = await run();
      expect(result).toMatchObject({ status: 'succeeded', delivered: { target: 'staffbase' } });
      const latest = [...staffbase.imports.values()].at(-1)!;
      expect(latest.state).toBe('COMPLETED');
      expect(latest.config.delta).toBe(false);
      const record = (await harness.store.runs.get(result.runId))!;
      expect(record.status).toBe('succeeded');
      expect(record.delivery?.preview).toEqual({ created: 0, updated: 0, deactivated: 0, deleted: 0, unchanged: 9 });
      expect(record.delivery?.result).toEqual({ created: 0, updated: 0, deactivated: 0, deleted: 0, unchanged: 9 });
      const detail = await runCli(harness, ['history', '--run', result.runId]);
      expect(detail.stdout).toContain('preview   created=0 updated=0 deactivated=0 deleted=0 unchanged=9');
      expect(detail.stdout).toContain('result    created=0 updated=0 deactivated=0 deleted=0 unchanged=9');
    } finally {
      staffbase.omittedCounts = new Set();
    }
  });

  it('ends a run whose rows Staffbase refused as partial, saying so in run, history and the record', async () => {
    await harness.writeConfig(staffbaseConfig());
    // Someone else in Staffbase already has Ada's address: her row's email is refused.
    staffbase.seedUser('9999', 'registered', { eMail: 'ada.lovelace@acme.example' });
    try {
      const outcome = await runCli(harness, ['run', 'acme-staffbase']);
      expect(outcome.code).toBe(0);
      const runId = /\(run ([\w-]+)\)/.exec(outcome.stdout)?.[1] ?? '';
      expect(outcome.stdout).toMatch(/^PARTIAL: 10 pulled: 10 delivered$/m);
      expect(outcome.stdout).toContain(
        `  delivered, but 1 row rejected by Staffbase: CSV_DUPLICATE_EMAIL (the rows: ./bin/rosterflow history --run ${runId})`,
      );

      const record = (await harness.store.runs.get(runId))!;
      expect(record.status).toBe('partial');
      expect(record.counts.vendorRefused).toBe(1);
      expect(record.delivery?.refused).toEqual({
        vendor: 'Staffbase',
        count: 1,
        codes: [{ code: 'CSV_DUPLICATE_EMAIL', rows: 1 }],
        rows: [{ line: 2, externalId: '1001', code: 'CSV_DUPLICATE_EMAIL' }],
      });
      // The record keeps positions and codes only, never the refused value.
      expect(JSON.stringify(record.delivery)).not.toContain('ada.lovelace');
      // A partial run is still the baseline the next plan compares against.
      expect((await harness.store.snapshots.current('acme-staffbase'))?.runId).toBe(runId);

      const detail = await runCli(harness, ['history', '--run', runId]);
      expect(detail.stdout).toMatch(/^status {4}partial/m);
      expect(detail.stdout).toContain('refused   1 row rejected by Staffbase: CSV_DUPLICATE_EMAIL');
      expect(detail.stdout).toContain('  file line 2, id 1001: CSV_DUPLICATE_EMAIL');
      const table = await runCli(harness, ['history', 'acme-staffbase']);
      expect(table.stdout.split('\n')[1]).toMatch(/\sacme-staffbase\s+cli\s+partial \(1 refused\)\s/);
    } finally {
      staffbase.users.delete('9999');
    }
  });

  it('fails at once, not after retries, when Staffbase refuses the token mid-protocol', async () => {
    await harness.writeConfig(staffbaseConfig());
    const before = staffbase.http.requests.length;
    // The upload goes through; every later call (configure, polls) is refused.
    staffbase.http.injectFault({
      times: 1000,
      path: /\/users\/imports\/[^/]+(\/config)?$/,
      response: { status: 401, json: { message: 'Unauthorized' } },
    });
    try {
      const { failure, record } = await failedRun(await start());
      expect(failure.type).toBe('TargetAuthFailed');
      expect(failure.message).toMatch(
        /^Staffbase: GET \/api\/users\/imports\/\w+ rejected the credentials \(HTTP 401\)/,
      );
      // One refused call, no retries of a permanent failure; then one try to cancel the import.
      expect(
        staffbase.http.requests
          .slice(before)
          .filter((request) => request.headers.authorization && /\/users\/imports\/[^/]+$/.test(request.path)),
      ).toHaveLength(2);
      expect(record.error?.type).toBe('TargetAuthFailed');
      expect(eventsOf(record)).toContainEqual(
        expect.stringMatching(
          /^import-cancel-refused: Staffbase import \w+ could not be cancelled \(TargetAuthFailed: /,
        ),
      );
    } finally {
      staffbase.http.clearFaults();
    }
  });
});
