import { ScheduleOverlapPolicy } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySchedules, scheduleIdFor } from '../../cli/apply-schedules';
import { loadConfig } from '../../config/load';
import { runCli } from '../support/cli';
import { exampleConfig } from '../support/example-config';
import { failureOf } from '../support/failure-of';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

let harness: Harness;
// Schedules are namespace-wide; ids unique to this run keep parallel and repeated runs apart.
const syncId = `acme-people-${Date.now().toString(36)}`;

beforeAll(async () => {
  harness = await startHarness('schedules');
});
afterAll(async () => {
  for await (const summary of harness.client.schedule.list()) {
    if (summary.scheduleId.startsWith(scheduleIdFor(syncId)))
      await harness.client.schedule.getHandle(summary.scheduleId).delete();
  }
  await harness.close();
});

async function writeAndLoad(mutate: (config: ReturnType<typeof exampleConfig>) => void) {
  const config = exampleConfig();
  config.syncs = config.syncs.slice(0, 1);
  config.syncs[0]!.id = syncId;
  config.syncs[0]!.target.path = 'out/scheduled.csv';
  mutate(config);
  await harness.writeConfig(config);
  return loadConfig(harness.configPath);
}

async function ourSchedules(): Promise<string[]> {
  const ids: string[] = [];
  for await (const summary of harness.client.schedule.list()) {
    if (summary.scheduleId.includes(syncId)) ids.push(summary.scheduleId);
  }
  return ids.sort();
}

/** Schedule lists come from Temporal's visibility store, which catches up a moment after each change. */
async function expectSchedules(expected: string[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  let seen = await ourSchedules();
  while (JSON.stringify(seen) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    seen = await ourSchedules();
  }
  expect(seen).toEqual(expected);
}

describe('schedules apply', () => {
  it('creates one schedule per scheduled sync with the intended spec and policies', async () => {
    const config = await writeAndLoad(() => undefined);
    const changes = await applySchedules(harness.client, config, { taskQueue: harness.taskQueue, prune: false });
    expect(changes).toEqual([{ scheduleId: scheduleIdFor(syncId), syncId, outcome: 'created' }]);

    const description = await harness.client.schedule.getHandle(scheduleIdFor(syncId)).describe();
    expect(description.spec.timezone).toBe('Europe/Berlin');
    expect(description.spec.calendars).toEqual([
      expect.objectContaining({ hour: [{ start: 2, end: 2, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] }),
    ]);
    expect(description.policies).toMatchObject({
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: 15 * 60 * 1000,
      pauseOnFailure: false,
    });
    expect(description.state.paused).toBe(false);
    expect(description.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'syncRoster',
      taskQueue: harness.taskQueue,
      args: [{ syncId }],
    });
    expect(description.info.nextActionTimes.length).toBeGreaterThan(0);
    expect(description.info.nextActionTimes[0]!.getTime()).toBeGreaterThan(Date.now());
  });

  it('is idempotent: applying the same config again changes nothing', async () => {
    const config = await writeAndLoad(() => undefined);
    const changes = await applySchedules(harness.client, config, { taskQueue: harness.taskQueue, prune: false });
    expect(changes.map((change) => change.outcome)).toEqual(['unchanged']);
    await expectSchedules([scheduleIdFor(syncId)]);
  });

  it('updates the schedule in place when the config changes', async () => {
    const config = await writeAndLoad((raw) => {
      raw.syncs[0]!.schedule = {
        cron: '30 5 * * 1-5',
        timezone: 'America/New_York',
        catchupWindow: '1h',
        paused: true,
      };
    });
    const changes = await applySchedules(harness.client, config, { taskQueue: harness.taskQueue, prune: false });
    expect(changes.map((change) => change.outcome)).toEqual(['updated']);
    const description = await harness.client.schedule.getHandle(scheduleIdFor(syncId)).describe();
    expect(description.spec.timezone).toBe('America/New_York');
    expect(description.policies.catchupWindow).toBe(60 * 60 * 1000);
    expect(description.state.paused).toBe(true);
    await expectSchedules([scheduleIdFor(syncId)]);
  });

  it('runs the sync when the schedule is triggered, recorded as a scheduled run', async () => {
    const config = await writeAndLoad(() => undefined);
    await applySchedules(harness.client, config, { taskQueue: harness.taskQueue, prune: false });
    const handle = harness.client.schedule.getHandle(scheduleIdFor(syncId));
    await handle.trigger();

    let workflowId: string | undefined;
    for (let tries = 0; tries < 100 && !workflowId; tries += 1) {
      workflowId = (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId;
      if (!workflowId) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(workflowId).toMatch(new RegExp(`^${scheduleIdFor(syncId)}-scheduled-`));
    const workflow = harness.client.workflow.getHandle(workflowId!);
    await workflow.result();
    const { runId } = await workflow.describe();
    const run = await harness.store.runs.get(runId);
    expect(run).toMatchObject({ syncId, trigger: 'schedule', status: 'succeeded', counts: { rendered: 9 } });
  });

  it('leaves schedules of removed syncs alone unless told to prune', async () => {
    const config = await writeAndLoad((raw) => {
      raw.syncs[0]!.id = `${syncId}-renamed`;
    });
    const kept = await applySchedules(harness.client, config, { taskQueue: harness.taskQueue, prune: false });
    expect(kept).toContainEqual(expect.objectContaining({ scheduleId: scheduleIdFor(syncId), outcome: 'unchanged' }));
    await expectSchedules([scheduleIdFor(syncId), scheduleIdFor(`${syncId}-renamed`)]);

    const pruned = await applySchedules(harness.client, config, { taskQueue: harness.taskQueue, prune: true });
    expect(pruned).toContainEqual(expect.objectContaining({ scheduleId: scheduleIdFor(syncId), outcome: 'deleted' }));
    await expectSchedules([scheduleIdFor(`${syncId}-renamed`)]);
  });

  it('refuses a cron field out of range before Temporal sees it, naming the sync and the field', async () => {
    await writeAndLoad(() => undefined);
    const config = exampleConfig();
    config.syncs = [{ ...config.syncs[0]!, id: `${syncId}-bad-cron`, schedule: { cron: '0 25 * * *' } }];
    await harness.writeConfig(config);
    const result = await runCli(harness, ['schedules', 'apply']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `syncs[0] "${syncId}-bad-cron".schedule.cron: must be a cron expression: its hour field "25" is not valid`,
    );
    expect(result.stderr).not.toContain('    at ');
    expect(result.stderr).not.toContain('TypeError');
    expect(await ourSchedules()).not.toContain(scheduleIdFor(`${syncId}-bad-cron`));
  });

  it('names the sync when Temporal refuses its schedule', async () => {
    const valid = await writeAndLoad(() => undefined);
    // Past the config check (a hand-made config), so Temporal itself refuses the spec.
    const sync = {
      ...valid.syncs[0]!,
      id: `${syncId}-refused`,
      schedule: { ...valid.syncs[0]!.schedule!, cron: '0 25 * * *' },
    };
    const err = await failureOf(() =>
      applySchedules(harness.client, { ...valid, syncs: [sync] }, { taskQueue: harness.taskQueue, prune: false }),
    );
    expect(err.type).toBe('InvalidConfig');
    expect(err.message).toBe(
      `Temporal refused the schedule of sync "${syncId}-refused" (cron "0 25 * * *", timezone Europe/Berlin): ` +
        'Hour is not in range [0-23]',
    );
  });
  it('updates a schedule an older rosterflow applied: adds the run summary, keeps a pause made in Temporal', async () => {
    const id = `${syncId}-older`;
    const config = await writeAndLoad((raw) => {
      raw.syncs[0]!.id = id;
    });
    // What `schedules apply` made before it recorded the cron and gave runs a summary.
    await harness.client.schedule.create({
      scheduleId: scheduleIdFor(id),
      spec: { cronExpressions: ['0 2 * * *'], timezone: 'Europe/Berlin' },
      action: {
        type: 'startWorkflow',
        workflowType: 'syncRoster',
        taskQueue: harness.taskQueue,
        args: [{ syncId: id }],
        workflowId: `${scheduleIdFor(id)}-scheduled`,
        memo: { rosterflowScheduleFingerprint: 'an-older-fingerprint' },
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 15 * 60 * 1000, pauseOnFailure: false },
      state: { paused: true, note: 'Paused in the Web UI' },
      memo: { managedBy: 'rosterflow', syncId: id },
    });

    const changes = await applySchedules(harness.client, config, { taskQueue: harness.taskQueue, prune: false });
    // The earlier test's renamed sync is still listed, as a schedule no longer in the config.
    expect(changes.filter((change) => change.syncId === id)).toEqual([
      {
        scheduleId: scheduleIdFor(id),
        syncId: id,
        outcome: 'updated',
        changes: ['cron (not recorded) -> "0 2 * * *"', `summary (none) -> "${id}: csv -> csv-file"`],
        note: 'paused in Temporal while the config says active',
      },
    ]);
    const description = await harness.client.schedule.getHandle(scheduleIdFor(id)).describe();
    expect(description.action.staticSummary).toBe(`${id}: csv -> csv-file`);
    expect(description.state).toMatchObject({ paused: true, note: 'Paused in the Web UI' });

    const again = await applySchedules(harness.client, config, { taskQueue: harness.taskQueue, prune: false });
    expect(again.find((change) => change.syncId === id)?.outcome).toBe('unchanged');
  });
});
