import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeExport } from '../../bench/export';
import { CSV_FILE_COLUMNS, SOURCE_COLUMNS } from '../../bench/targets';
import type { syncRoster } from '../../workflows/sync-roster';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/**
 * A roster big enough that the staged data path's cleanup ran past its timeout and was retried (200,000
 * employees): the one-pass build keeps nothing to clean up but checkpoints, so every bookkeeping
 * activity finishes at its first attempt. Asserted on the workflow's history, never on time.
 */
const PEOPLE = 200_000;
const LEAVERS = PEOPLE / 20;
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness('large-roster');
  const exportPath = join(harness.dir, 'export.csv');
  await writeExport(exportPath, PEOPLE);
  await harness.writeConfig({
    version: 1,
    syncs: [
      {
        id: 'large',
        source: { type: 'csv', path: exportPath, pageSize: 5000, columns: SOURCE_COLUMNS },
        target: { type: 'csv-file', path: join(harness.dir, 'out', 'large.csv'), columns: CSV_FILE_COLUMNS },
      },
    ],
  });
}, 120_000);
afterAll(async () => {
  await harness?.close();
});

/** Every activity attempt after the first, by activity type (retries show as ActivityTaskStarted attempt > 1). */
async function retriedActivities(handle: WorkflowHandle): Promise<string[]> {
  const { events } = await handle.fetchHistory();
  const names = new Map<string, string>();
  for (const event of events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) names.set(String(event.eventId), scheduled.activityType?.name ?? '?');
  }
  return (events ?? []).flatMap((event) => {
    const started = event.activityTaskStartedEventAttributes;
    return started && (started.attempt ?? 1) > 1 ? [names.get(String(started.scheduledEventId)) ?? '?'] : [];
  });
}

describe(`a roster of ${PEOPLE} employees`, () => {
  it('is delivered twice (the second run planned against the first) with no activity retried', async () => {
    for (const round of [1, 2]) {
      const handle = await harness.client.workflow.start<typeof syncRoster>('syncRoster', {
        taskQueue: harness.taskQueue,
        workflowId: `large-${round}-${Date.now()}`,
        args: [{ syncId: 'large' }],
      });
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'succeeded', pulled: PEOPLE, rendered: PEOPLE - LEAVERS });
      expect(await retriedActivities(handle)).toEqual([]);
      const run = await harness.store.runs.get(result.runId);
      // The second run compares with the first: nobody left in between.
      expect(run?.plan).toMatchObject({ active: PEOPLE - LEAVERS, deactivations: 0 });
      expect(run?.plan?.previousRunId).toEqual(round === 1 ? undefined : expect.any(String));
      expect(await harness.store.checkpoints.get(result.runId, 'build')).toBeUndefined();
      expect(await harness.store.snapshots.countIds(result.runId)).toBe(PEOPLE - LEAVERS);
    }
    const delivered = await readFile(join(harness.dir, 'out', 'large.csv'), 'utf8');
    expect(delivered.split('\n').filter((line) => line !== '')).toHaveLength(PEOPLE - LEAVERS + 1);
  }, 300_000);
});
