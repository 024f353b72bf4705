import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeFailure } from '../../core/failure-summary';
import type { HoldDecisionOutcome, PendingHold } from '../../workflows/hold';
import type { SyncRosterResult } from '../../workflows/sync-roster';
import { STAFFBASE_TOKEN, StaffbaseFake } from '../fakes/staffbase/server';
import { freePort } from '../../tools/stack/ports';
import { exampleConfig, singleCsvSync } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { runCli } from '../support/cli';

type WorkflowStartHandle = WorkflowHandleWithFirstExecutionRunId;

let harness: Harness;
let staffbase: StaffbaseFake;
let header: string;
/** The example export's ten rows (nine employed, one leaver), by employee id. */
let rows: Map<string, string>;

beforeAll(async () => {
  staffbase = await StaffbaseFake.start({ autoAdvanceOnPoll: true });
  process.env['STAFFBASE_HOLDS_TOKEN'] = STAFFBASE_TOKEN;
  harness = await startHarness('holds');
  await mkdir(join(harness.dir, 'out'), { recursive: true });
  const [first, ...rest] = (await readFile(join(harness.dataDir, 'acme-hr-export.csv'), 'utf8')).trim().split('\n');
  header = first!;
  rows = new Map(rest.map((row) => [row.split(',')[0]!, row]));
});
afterAll(async () => {
  await harness.close();
  await staffbase.close();
  delete process.env['STAFFBASE_HOLDS_TOKEN'];
});

/** Writes a CSV export under the harness's data folder with the given employees, some turned into leavers. */
async function writeExport(name: string, ids: string[], leavers: string[] = []): Promise<void> {
  const lines = ids.map((id) => {
    const row = rows.get(id)!;
    return leavers.includes(id) ? row.replace(/,(Active|On Leave|Pending),/, ',Terminated,') : row;
  });
  await writeFile(join(harness.dataDir, name), `${[header, ...lines].join('\n')}\n`);
}

const ALL = ['1001', '1002', '1003', '1004', '1005', '1006', '1007', '1008', '1009', '1010'];
const outputOf = (syncId: string) => join(harness.dir, 'out', `${syncId}.csv`);

/** Points the config at one CSV sync (the example's columns) to a csv-file target of its own. */
async function configure(syncId: string, file: string, safety?: Record<string, unknown>): Promise<void> {
  await harness.writeConfig(singleCsvSync(syncId, file, outputOf(syncId), safety));
}

function start(syncId: string, dryRun = false): Promise<WorkflowStartHandle> {
  return harness.client.workflow.start('syncRoster', {
    taskQueue: harness.taskQueue,
    workflowId: `${syncId}-${Math.random().toString(36).slice(2, 10)}`,
    args: [{ syncId, dryRun }],
  });
}

const resultOf = (handle: WorkflowHandle) => handle.result() as Promise<SyncRosterResult>;

async function failureOf(handle: WorkflowHandle): Promise<ApplicationFailure> {
  const err = await handle.result().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  // Its message as an operator is shown it: without the "Type: " the workflow's own failure leads with.
  const failure = cause as ApplicationFailure;
  return Object.assign(failure, { message: summarizeFailure(failure).message });
}

/** Waits until the run's `hold` query reports a pending hold. */
async function heldOf(handle: WorkflowHandle): Promise<PendingHold> {
  for (let tries = 0; tries < 240; tries += 1) {
    const pending = await handle.query<PendingHold | null>('hold');
    if (pending) return pending;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${handle.workflowId} never held`);
}

const decide = (handle: WorkflowHandle, decision: unknown) =>
  handle.executeUpdate<HoldDecisionOutcome, [unknown]>('decideHold', { args: [decision] });

/** A first, unheld delivery of the full export: the baseline later runs compare against. */
async function deliverBaseline(syncId: string, safety?: Record<string, unknown>): Promise<SyncRosterResult> {
  await writeExport('full.csv', ALL);
  await configure(syncId, 'full.csv', safety);
  const result = await resultOf(await start(syncId));
  expect(result.delivered).not.toBeNull();
  expect(result.tripped).toEqual([]);
  return result;
}

/** How a reason names the delivery it compares against: its run and (UTC) day. */
const lastDelivery = (baseline: SyncRosterResult) =>
  `the last delivery (run ${baseline.runId}, ${new Date().toISOString().slice(0, 10)})`;

const shrinkTo3 = (baseline: SyncRosterResult) => [
  `The source returned 3 employees, 70.0% fewer than the 10 it returned for ${lastDelivery(baseline)}, more than safety.maxShrinkPercent (20%)`,
  `6 of the 9 people employed at ${lastDelivery(baseline)} would be deactivated (66.7%), more than safety.maxDeactivationPercent (10%)`,
];

/** bin/rosterflow against the test stack. */
const cli = (args: string[]) => runCli(harness, args, { ROSTERFLOW_HOME: join(harness.dir, 'home') });

describe('safety holds', () => {
  it('does not trip the shrink guard on the first run of a sync, and records the baseline only once delivered', async () => {
    await writeExport('three.csv', ['1001', '1002', '1003']);
    await configure('first-small', 'three.csv');
    const result = await resultOf(await start('first-small'));
    expect(result.tripped).toEqual([]);
    expect(result.delivered).not.toBeNull();
    const run = await harness.store.runs.get(result.runId);
    expect(run!.plan).toEqual({ pulled: 3, active: 3, deactivations: 0, tripped: [] });
    expect(await harness.store.snapshots.current('first-small')).toMatchObject({
      runId: result.runId,
      pulled: 3,
      active: 3,
    });
  });

  it('holds a shrunken source, visible in the store and the query, and delivers once approved by Update', async () => {
    const baseline = await deliverBaseline('shrink-approve');
    const before = await readFile(outputOf('shrink-approve'), 'utf8');
    expect(before.trim().split('\n')).toHaveLength(10); // header + nine employed people

    await writeExport('three.csv', ['1001', '1002', '1003']);
    await configure('shrink-approve', 'three.csv');
    const handle = await start('shrink-approve');
    const pending = await heldOf(handle);
    expect(pending.reasons).toEqual(shrinkTo3(baseline));
    expect(pending.source).toBe('plan');
    expect(Date.parse(pending.expiresAt) - Date.parse(pending.since)).toBe(24 * 60 * 60 * 1000);

    const held = await harness.store.runs.get(handle.firstExecutionRunId);
    expect(held).toMatchObject({
      status: 'held',
      hold: { reasons: shrinkTo3(baseline), source: 'plan' },
      plan: {
        pulled: 3,
        active: 3,
        previousPulled: 10,
        previousActive: 9,
        previousRunId: baseline.runId,
        deactivations: 6,
        tripped: shrinkTo3(baseline),
      },
    });
    expect(held!.hold!.decision).toBeUndefined();
    expect((await harness.store.runs.held()).map((run) => run.runId)).toContain(handle.firstExecutionRunId);
    // The Web UI shows the workflow's current details.
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain('HELD for approval');
    expect(metadata.currentDetails).toContain(shrinkTo3(baseline)[0]);
    // Nothing was delivered while held.
    expect(await readFile(outputOf('shrink-approve'), 'utf8')).toBe(before);

    // A bad decision is refused by the Update's validator, naming the field; the run stays held.
    const refused = await decide(handle, { approve: true, by: '', reason: 'x' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((refused as WorkflowUpdateFailedError).cause?.message)).toContain('by: is required');
    expect(await handle.query('hold')).not.toBeNull();

    const outcome = await decide(handle, { approve: true, by: 'ops-anna', reason: 'INC-1: the Leeds site closed' });
    expect(outcome).toMatchObject({ approved: true, by: 'ops-anna' });
    const result = await resultOf(handle);
    expect(result.delivered).not.toBeNull();
    expect(result.tripped).toEqual(shrinkTo3(baseline));
    expect((await readFile(outputOf('shrink-approve'), 'utf8')).trim().split('\n')).toHaveLength(4);

    const done = await harness.store.runs.get(result.runId);
    expect(done).toMatchObject({
      status: 'succeeded',
      hold: { decision: { approve: true, by: 'ops-anna', reason: 'INC-1: the Leeds site closed' } },
    });
    expect(done!.events!.map((event) => event.kind)).toEqual(expect.arrayContaining(['held', 'hold-approved']));
    expect(done!.events!.find((event) => event.kind === 'hold-approved')!.detail).toBe(
      'by ops-anna: INC-1: the Leeds site closed',
    );
    // The approved delivery is the new baseline.
    expect(await harness.store.snapshots.current('shrink-approve')).toMatchObject({
      runId: result.runId,
      pulled: 3,
      active: 3,
      previousRunId: baseline.runId,
    });
    expect(await harness.store.snapshots.countIds(baseline.runId)).toBe(0);
  });

  it('fails a rejected hold as HoldRejected, delivers nothing and keeps the old baseline (CLI)', async () => {
    const baseline = await deliverBaseline('shrink-reject');
    const before = await readFile(outputOf('shrink-reject'), 'utf8');
    await writeExport('three.csv', ['1001', '1002', '1003']);
    await configure('shrink-reject', 'three.csv');
    const handle = await start('shrink-reject');
    await heldOf(handle);

    const list = await cli(['holds']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`shrink-reject  workflow ${handle.workflowId}  run ${handle.firstExecutionRunId}`);
    expect(list.stdout).toContain(`  - ${shrinkTo3(baseline)[0]}`);
    const history = await cli(['history', 'shrink-reject']);
    expect(history.stdout.trim().split('\n')[1]).toMatch(/shrink-reject\s+manual\s+held\s/);
    // A held run's row names its run and the workflow id that approve and reject take.
    expect(history.stdout.trim().split('\n')[1]).toMatch(
      new RegExp(`\\s-\\s+${handle.firstExecutionRunId}\\s+waiting for approve/reject ${handle.workflowId}$`),
    );

    const missing = await cli(['reject', handle.workflowId]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("required option '--reason <text>' not specified");

    const rejected = await cli(['reject', handle.workflowId, '--reason', 'not expected', '--by', 'ops-ben']);
    expect(rejected.stderr).toBe('');
    expect(rejected.code).toBe(0);
    expect(rejected.stdout).toContain(`rejected by ops-ben at `);
    expect(rejected.stdout).toContain(`${handle.workflowId} fails as HoldRejected`);

    const failure = await failureOf(handle);
    expect(failure.type).toBe('HoldRejected');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(
      'The hold was rejected by ops-ben; nothing was delivered (their reason is in the run record)',
    );
    expect(await readFile(outputOf('shrink-reject'), 'utf8')).toBe(before);
    const run = await harness.store.runs.get(handle.firstExecutionRunId);
    expect(run).toMatchObject({
      status: 'failed',
      error: { type: 'HoldRejected' },
      hold: { decision: { approve: false, by: 'ops-ben', reason: 'not expected' } },
    });
    expect(run!.steps.deliver).toBeUndefined();
    expect(await harness.store.snapshots.current('shrink-reject')).toMatchObject({ runId: baseline.runId });
    expect(await harness.store.snapshots.countIds(handle.firstExecutionRunId)).toBe(0);

    // A finished run has nothing to decide: a clear message and a non-zero exit.
    const late = await cli(['approve', handle.workflowId, '--reason', 'too late']);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain(
      `rosterflow: ${handle.workflowId} has already finished (FAILED); there is nothing to decide`,
    );
    expect((await cli(['holds', 'shrink-reject'])).stdout.trim()).toBe('No runs are held.');
  });

  it('approves a held run from the CLI, by the OS user name unless --by says otherwise', async () => {
    await deliverBaseline('cli-approve');
    await writeExport('three.csv', ['1001', '1002', '1003']);
    await configure('cli-approve', 'three.csv');
    const handle = await start('cli-approve');
    await heldOf(handle);
    const approved = await cli(['approve', handle.workflowId, '--reason', 'INC-7']);
    expect(approved.stderr).toBe('');
    expect(approved.stdout).toMatch(/^approved by \S+ at .*goes on to deliver/);
    const result = await resultOf(handle);
    expect(result.delivered).not.toBeNull();
    const run = await harness.store.runs.get(result.runId);
    expect(run!.hold!.decision!.by).not.toBe('');
    expect(run!.hold!.decision!.reason).toBe('INC-7');
  });

  it('`rosterflow run` says when its run is held, why and how to answer, and waits for the outcome', async () => {
    const baseline = await deliverBaseline('cli-run');
    await writeExport('three.csv', ['1001', '1002', '1003']);
    await configure('cli-run', 'three.csv');
    const running = cli(['run', 'cli-run']);
    let held: Awaited<ReturnType<typeof harness.store.runs.held>> = [];
    for (let tries = 0; tries < 240 && held.length === 0; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      held = await harness.store.runs.held({ syncId: 'cli-run' });
    }
    expect(held).toHaveLength(1);
    const handle = harness.client.workflow.getHandle(held[0]!.workflowId);
    // Long enough for the CLI's next look at the hold query (every 2 s).
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await decide(handle, { approve: true, by: 'ops-fay', reason: 'INC-9' });
    const outcome = await running;
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('HELD: a safety rule tripped; nothing is delivered until an operator decides');
    expect(outcome.stdout).toContain(`  - ${shrinkTo3(baseline)[0]}`);
    expect(outcome.stdout).toContain(`approve: ./bin/rosterflow approve ${held[0]!.workflowId} --reason "<why>"`);
    expect(outcome.stdout).toMatch(/SUCCEEDED: 3 pulled: 3 delivered/);
  });

  it('closes the record of a run terminated while held, so `holds` stops listing it', async () => {
    await deliverBaseline('abandoned');
    await writeExport('three.csv', ['1001', '1002', '1003']);
    await configure('abandoned', 'three.csv');
    const handle = await start('abandoned');
    await heldOf(handle);
    expect((await cli(['holds', 'abandoned', '--json'])).stdout).toContain(handle.workflowId);
    await handle.terminate('operator gave up from the Web UI');

    const list = await cli(['holds', 'abandoned']);
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain(handle.workflowId);
    expect(list.stderr).toContain(`${handle.workflowId}: the workflow was terminated while held`);
    const run = await harness.store.runs.get(handle.firstExecutionRunId);
    expect(run).toMatchObject({
      status: 'failed',
      error: { type: 'HoldAbandoned', message: 'The workflow was terminated while held; nothing was delivered' },
    });
  });

  it('fails an unanswered hold as HoldExpired; minEmployees applies on a first run', async () => {
    await writeExport('three.csv', ['1001', '1002', '1003']);
    await configure('expires', 'three.csv', { minEmployees: 5, holdExpiresAfter: '3s' });
    const handle = await start('expires');
    const pending = await heldOf(handle);
    expect(pending.reasons).toEqual(['The source returned 3 employees, fewer than safety.minEmployees (5)']);
    const failure = await failureOf(handle);
    expect(failure.type).toBe('HoldExpired');
    expect(failure.message).toBe(
      'The run was held (The source returned 3 employees, fewer than safety.minEmployees (5)) and nobody approved or rejected it within 3s; nothing was delivered',
    );
    const run = await harness.store.runs.get(handle.firstExecutionRunId);
    expect(run).toMatchObject({ status: 'failed', error: { type: 'HoldExpired' }, hold: { expired: true } });
    expect(run!.hold!.decision).toBeUndefined();
    expect(run!.events!.map((event) => event.kind)).toEqual(expect.arrayContaining(['held', 'hold-expired']));
    await expect(readFile(outputOf('expires'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await harness.store.snapshots.current('expires')).toBeNull();
  });

  it('holds on a deactivation threshold and takes the decision by Signal too', async () => {
    const baseline = await deliverBaseline('leavers');
    // Same ten people, three of the employed ones now leavers: no shrink, 3 of 9 deactivated.
    await writeExport('leavers.csv', ALL, ['1002', '1005', '1006']);
    await configure('leavers', 'leavers.csv');
    const handle = await start('leavers');
    const pending = await heldOf(handle);
    expect(pending.reasons).toEqual([
      `3 of the 9 people employed at ${lastDelivery(baseline)} would be deactivated (33.3%), more than safety.maxDeactivationPercent (10%)`,
    ]);
    // A malformed Signal cannot be refused: it is ignored and the run stays held.
    await handle.signal('decideHold', { approve: true, by: 'ops-cleo' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await handle.query('hold')).not.toBeNull();

    await handle.signal('decideHold', { approve: true, by: 'ops-cleo', reason: 'year-end leavers, HR-123' });
    const result = await resultOf(handle);
    expect(result.delivered).not.toBeNull();
    expect((await readFile(outputOf('leavers'), 'utf8')).trim().split('\n')).toHaveLength(7);
    const run = await harness.store.runs.get(result.runId);
    expect(run).toMatchObject({
      status: 'succeeded',
      plan: { pulled: 10, active: 6, previousActive: 9, deactivations: 3 },
      hold: { decision: { approve: true, by: 'ops-cleo', reason: 'year-end leavers, HR-123' } },
    });
  });

  it("counts people the target's row checks refuse (onRejectedRows: skip) as gone: they are in no file", async () => {
    const skipRejected = async (file: string) => {
      await configure('refused', file);
      const config = parse(await readFile(harness.configPath, 'utf8')) as { syncs: Record<string, unknown>[] };
      config.syncs[0]!['onRejectedRows'] = 'skip';
      await harness.writeConfig(config);
    };
    await writeExport('full.csv', ALL);
    await skipRejected('full.csv');
    const baseline = await resultOf(await start('refused'));
    expect(baseline.tripped).toEqual([]);

    // Same ten people, all still employed, but two addresses no longer pass the email check.
    await writeExport('bad-emails.csv', ALL);
    const exported = await readFile(join(harness.dataDir, 'bad-emails.csv'), 'utf8');
    const broken = exported
      .split('\n')
      .map((line) => (/^100[35],/.test(line) ? line.replace(/@acme\.example/, '-at-acme') : line))
      .join('\n');
    await writeFile(join(harness.dataDir, 'bad-emails.csv'), broken);
    await skipRejected('bad-emails.csv');
    const handle = await start('refused');
    try {
      const pending = await heldOf(handle);
      expect(pending.reasons).toEqual([
        `2 of the 9 people employed at ${lastDelivery(baseline)} would be deactivated (22.2%), more than safety.maxDeactivationPercent (10%)`,
      ]);
    } finally {
      await handle.terminate('test over');
    }
  });

  it('a count limit of zero holds a single deactivation', async () => {
    const baseline = await deliverBaseline('zero', { maxDeactivations: 0, holdExpiresAfter: '1h' });
    await writeExport(
      'one-gone.csv',
      ALL.filter((id) => id !== '1009'),
    );
    await configure('zero', 'one-gone.csv', { maxDeactivations: 0, holdExpiresAfter: '1h' });
    const handle = await start('zero');
    const pending = await heldOf(handle);
    expect(pending.reasons).toEqual([
      `1 of the 9 people employed at ${lastDelivery(baseline)} would be deactivated, more than safety.maxDeactivations (0)`,
      `1 of the 9 people employed at ${lastDelivery(baseline)} would be deactivated (11.1%), more than safety.maxDeactivationPercent (10%)`,
    ]);
    await decide(handle, { approve: false, by: 'ops-dan', reason: 'check first' });
    expect((await failureOf(handle)).type).toBe('HoldRejected');
  });

  it('never holds a dry run: it reports the tripped rules and keeps the baseline', async () => {
    const baseline = await deliverBaseline('dry');
    await writeExport('three.csv', ['1001', '1002', '1003']);
    await configure('dry', 'three.csv');
    const result = await resultOf(await start('dry', true));
    expect(result.dryRun).toBe(true);
    expect(result.delivered).toBeNull();
    expect(result.tripped).toEqual(shrinkTo3(baseline));
    const run = await harness.store.runs.get(result.runId);
    expect(run).toMatchObject({ status: 'succeeded', plan: { tripped: shrinkTo3(baseline), deactivations: 6 } });
    expect(run!.hold).toBeUndefined();
    expect(await harness.store.snapshots.current('dry')).toMatchObject({ runId: baseline.runId, active: 9 });
    expect(await harness.store.snapshots.countIds(result.runId)).toBe(0);
    expect(await harness.store.snapshots.countIds(baseline.runId)).toBe(9);
  });

  it('refuses a decision for a run that is not held', async () => {
    // The HR system does not answer (nothing listens on its port): the extract retries with backoff,
    // so the run is running but not held. (A missing local file would fail the run at once.)
    const config = exampleConfig();
    config.syncs = [
      {
        id: 'not-held',
        source: {
          ...config.syncs[1]!.source,
          baseUrl: `http://127.0.0.1:${await freePort()}`,
          serviceUserToken: { env: 'HOLDS_NOT_HELD_TOKEN' },
        },
        target: { ...config.syncs[0]!.target, path: outputOf('not-held') },
      },
    ];
    process.env['HOLDS_NOT_HELD_TOKEN'] = 'token-of-nobody';
    await harness.writeConfig(config);
    const handle = await start('not-held');
    try {
      const refused = await decide(handle, { approve: true, by: 'ops-eve', reason: 'x' }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(String((refused as WorkflowUpdateFailedError).cause?.message)).toBe(
        'This run is not held: there is nothing to approve or reject',
      );
      const cli1 = await cli(['approve', handle.workflowId, '--reason', 'x', '--by', 'ops-eve']);
      expect(cli1.code).toBe(1);
      expect(cli1.stderr).toContain(`${handle.workflowId} refused the decision: This run is not held`);
      expect(cli1.stderr).not.toContain('    at ');
    } finally {
      await handle.terminate('test over');
    }
  });

  it("holds on a Staffbase preview over the target's limit (onPreviewTrip: hold, the default)", async () => {
    const config = exampleConfig();
    const base = config.syncs[0]!;
    const sync = (file: string) => ({
      id: 'staffbase-hold',
      source: { ...base.source, path: `data/${file}` },
      target: {
        type: 'staffbase',
        baseUrl: staffbase.baseUrl,
        apiToken: { env: 'STAFFBASE_HOLDS_TOKEN' },
        polling: { initialInterval: '1s', maxInterval: '2s', timeout: '2m' },
        safety: { maxDeactivationPercent: 20 },
      } as never,
      // Delta mode keeps the sync's own deactivation rule; switched off here to reach the preview's.
      safety: { maxDeactivationPercent: 100 },
    });
    await writeExport('full.csv', ALL);
    await harness.writeConfig({ ...config, syncs: [sync('full.csv')] });
    expect((await resultOf(await start('staffbase-hold'))).delivered?.target).toBe('staffbase');

    // Everyone but one has left: with the sync's own percentage off, the preview's limit trips.
    await writeExport(
      'sb-leavers.csv',
      ALL.filter((id) => id !== '1004'),
      ALL.filter((id) => id !== '1001'),
    );
    await harness.writeConfig({ ...config, syncs: [sync('sb-leavers.csv')] });
    const before = new Map([...staffbase.users].map(([id, user]) => [id, user.status]));
    const handle = await start('staffbase-hold');
    const pending = await heldOf(handle);
    expect(pending.source).toBe('target-preview');
    expect(pending.reasons).toHaveLength(1);
    expect(pending.reasons[0]).toMatch(
      /^The Staffbase preview would deactivate or delete 8 of \d+ users \(\d+\.\d%\), over the limit \(20%\)$/,
    );
    const held = await harness.store.runs.get(handle.firstExecutionRunId);
    expect(held).toMatchObject({ status: 'held', plan: { tripped: [] }, hold: { source: 'target-preview' } });
    expect([...staffbase.imports.values()].at(-1)!.state).toBe('PREVIEW_READY');
    expect(new Map([...staffbase.users].map(([id, user]) => [id, user.status]))).toEqual(before);

    await decide(handle, { approve: true, by: 'ops-fay', reason: 'reorg, HR-9' });
    const result = await resultOf(handle);
    expect(result.delivered?.target).toBe('staffbase');
    expect([...staffbase.imports.values()].at(-1)!.state).toBe('COMPLETED');
    expect([...staffbase.users.values()].filter((user) => user.status !== 'deactivated')).toHaveLength(1);
    const run = await harness.store.runs.get(result.runId);
    expect(run).toMatchObject({
      status: 'succeeded',
      hold: { source: 'target-preview', decision: { approve: true, by: 'ops-fay' } },
    });
    expect(run!.events!.find((event) => event.kind === 'hold-approved')!.step).toBe('deliver');
  });
});
