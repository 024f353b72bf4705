import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySchedules, scheduleIdFor } from '../../cli/apply-schedules';
import { formatScheduleList } from '../../cli/schedules/format';
import { listSchedules } from '../../cli/schedules/list';
import { WATCHDOG_SCHEDULE_ID, isWatchdog } from '../../cli/schedules/watchdog';
import { loadConfig } from '../../config/load';
import { watchSyncs } from '../../workflows/watchdog';
import { runCli } from '../support/cli';
import { exampleConfig } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

// The tests build on each other, in order. The sync's schedule fires every 2 seconds with a 1 second
// grace, on a task queue no worker polls: a sync that has stopped running, as far as the watchdog
// can tell. The watchdog itself is run directly on the harness's worker, not through its schedule.
let harness: Harness;
let receiver: Receiver;
const suffix = Date.now().toString(36);
const syncId = `quiet-${suffix}`;
const deadQueue = `nobody-polls-${suffix}`;

beforeAll(async () => {
  harness = await startHarness('watchdog');
  receiver = await startReceiver();
});
afterAll(async () => {
  for (const id of [scheduleIdFor(syncId), WATCHDOG_SCHEDULE_ID]) {
    const handle = harness.client.schedule.getHandle(id);
    const description = await handle.describe().catch(() => undefined);
    if (!description) continue;
    for (const running of description.info.runningActions) {
      await harness.client.workflow
        .getHandle(running.workflow.workflowId)
        .terminate('test over')
        .catch(() => undefined);
    }
    await handle.delete();
  }
  await receiver?.close();
  await harness?.close();
});

interface Receiver {
  url: string;
  bodies: unknown[];
  close(): Promise<void>;
}

/** A local webhook receiver: keeps each POSTed JSON body. */
async function startReceiver(): Promise<Receiver> {
  const bodies: unknown[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/rosterflow`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function writeConfig(options: { stale: boolean }) {
  const config = exampleConfig();
  const sync = config.syncs[0]!;
  config.syncs = [
    {
      ...sync,
      id: syncId,
      target: { ...sync.target, path: `out/${syncId}.csv` },
      schedule: { cron: '@every 2s', timezone: 'UTC' },
      notify: {
        on: options.stale ? ['stale', 'failed'] : ['failed'],
        staleGrace: '1s',
        webhooks: [{ url: receiver.url }],
      },
    },
  ];
  await harness.writeConfig(config);
  return loadConfig(harness.configPath);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One watchdog tick, run directly. */
async function tick(): Promise<string[]> {
  const { alerted } = await harness.client.workflow.execute(watchSyncs, {
    args: [{}],
    taskQueue: harness.taskQueue,
    workflowId: `watchdog-test-${suffix}-${Date.now()}`,
  });
  return alerted;
}

/** Waits for the receiver to have `count` bodies (alerts are child workflows, sent a moment later). */
async function expectAlerts(count: number, settleMs = 1500): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (receiver.bodies.length < count && Date.now() < deadline) await sleep(100);
  // And no more than that.
  await sleep(settleMs);
  expect(receiver.bodies).toHaveLength(count);
}

describe('the stale-sync watchdog', () => {
  it('gets its own schedule from `schedules apply` while a sync alerts on stale, listed apart', async () => {
    const config = await writeConfig({ stale: true });
    const changes = await applySchedules(harness.client, config, { taskQueue: deadQueue, prune: false });
    expect(changes).toEqual([
      { scheduleId: scheduleIdFor(syncId), syncId, outcome: 'created' },
      expect.objectContaining({ scheduleId: WATCHDOG_SCHEDULE_ID, outcome: 'created' }),
    ]);

    const description = await harness.client.schedule.getHandle(WATCHDOG_SCHEDULE_ID).describe();
    expect(isWatchdog(description.memo)).toBe(true);
    expect(description.spec.intervals).toEqual([expect.objectContaining({ every: 10 * 60_000 })]);
    expect(description.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(description.action).toMatchObject({ workflowType: 'watchSyncs', taskQueue: deadQueue, args: [{}] });

    const again = await applySchedules(harness.client, config, { taskQueue: deadQueue, prune: false });
    expect(again.map((change) => change.outcome)).toEqual(['unchanged', 'unchanged']);

    const list = await listSchedules(harness.client, config, 3);
    expect(list.schedules.map((schedule) => schedule.scheduleId)).toEqual([scheduleIdFor(syncId)]);
    expect(list.watchdog).toMatchObject({ scheduleId: WATCHDOG_SCHEDULE_ID, every: '10m', watching: [syncId] });
    expect(formatScheduleList(list)).toContain(`stale-sync watchdog  (schedule ${WATCHDOG_SCHEDULE_ID}`);

    const listed = await runCli(harness, ['schedules', 'list']);
    expect(listed.stdout).toContain(`stale-sync watchdog  (schedule ${WATCHDOG_SCHEDULE_ID}: not a sync`);
    const json = await runCli(harness, ['schedules', 'list', '--json']);
    expect((JSON.parse(json.stdout) as { scheduleId: string }[]).map((entry) => entry.scheduleId)).toEqual([
      scheduleIdFor(syncId),
    ]);

    // Without a sync alerting on stale, apply deletes it; a dry run says so and changes nothing.
    await writeConfig({ stale: false });
    const dry = await runCli(harness, ['schedules', 'apply', '--dry-run'], { ROSTERFLOW_TASK_QUEUE: deadQueue });
    expect(dry.stdout).toMatch(new RegExp(`^would delete +${WATCHDOG_SCHEDULE_ID} `, 'm'));
    await harness.client.schedule.getHandle(WATCHDOG_SCHEDULE_ID).describe();
    await writeConfig({ stale: true });
  });

  it('alerts once when the sync has not succeeded, and not again on the next tick', async () => {
    // The schedule was made a moment ago: wait for a fire time after it, plus the grace.
    await sleep(3500);
    expect(await tick()).toEqual([syncId]);
    await expectAlerts(1);
    expect(JSON.stringify(receiver.bodies[0])).toContain(syncId);
    expect(JSON.stringify(receiver.bodies[0])).toContain('stale');

    await sleep(2500);
    expect(await tick()).toEqual([]);
    await expectAlerts(1);
  });

  it('stays quiet after a successful run, and alerts again after the next miss', async () => {
    const runId = `run-${suffix}`;
    await harness.store.runs.start({
      runId,
      workflowId: `wf-${suffix}`,
      syncId,
      trigger: 'schedule',
      dryRun: false,
      startedAt: new Date(),
    });
    await harness.store.runs.finish(runId, 'succeeded');
    expect(await tick()).toEqual([]);

    await sleep(3500);
    expect(await tick()).toEqual([syncId]);
    await expectAlerts(2);
  });

  it('says nothing while the schedule is paused, nor right after it resumes', async () => {
    const runId = `run-${suffix}-2`;
    await harness.store.runs.start({
      runId,
      workflowId: `wf-${suffix}-2`,
      syncId,
      trigger: 'schedule',
      dryRun: false,
      startedAt: new Date(),
    });
    await harness.store.runs.finish(runId, 'succeeded');
    const handle = harness.client.schedule.getHandle(scheduleIdFor(syncId));
    await handle.pause('test: paused');
    await sleep(3500);
    expect(await tick()).toEqual([]);

    await handle.unpause('test: resumed');
    expect(await tick()).toEqual([]);
    await expectAlerts(2, 500);
  });
});
