import { randomUUID } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { RunRecord } from '../../store/run-record';
import type { SyncRosterResult, syncRoster } from '../../workflows/sync-roster';
import type { Harness } from './harness';

/** What the kit asks of a target's fake to measure one run (see TargetConformanceAdapter). */
export interface FakeReadings<Fake> {
  received(fake: Fake): readonly string[] | Promise<readonly string[]>;
  writes(fake: Fake): number | Promise<number>;
  beforeRun?(fake: Fake): void | Promise<void>;
}

/** One finished run and what the fake made of it. */
export interface ConformanceRun {
  handle: WorkflowHandleWithFirstExecutionRunId<typeof syncRoster>;
  result: SyncRosterResult;
  run: RunRecord;
  /** Writes the fake applied during the run. */
  writes: number;
  /** Who the target holds afterwards, lower-cased and sorted. */
  received: string[];
}

/** A run started, not yet finished: the fake's write count from before it. */
export interface StartedRun {
  handle: WorkflowHandleWithFirstExecutionRunId<typeof syncRoster>;
  writesBefore: number;
}

/**
 * Starts `syncId` on `taskQueue`. The workflow id does not name the sync, so finding the sync id in
 * a history proves its payloads were decoded.
 */
export async function startRun<Fake>(
  harness: Harness,
  readings: FakeReadings<Fake>,
  fake: Fake,
  syncId: string,
  taskQueue: string,
): Promise<StartedRun> {
  await readings.beforeRun?.(fake);
  const writesBefore = await readings.writes(fake);
  const handle = await harness.client.workflow.start<typeof syncRoster>('syncRoster', {
    taskQueue,
    workflowId: `conformance-${randomUUID()}`,
    args: [{ syncId }],
  });
  return { handle, writesBefore };
}

/** Waits for the run's end; a failed run is reported with the run record's own type and message. */
export async function finishRun<Fake>(
  harness: Harness,
  readings: FakeReadings<Fake>,
  fake: Fake,
  started: StartedRun,
): Promise<ConformanceRun> {
  const { handle } = started;
  const outcome = await handle.result().then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  const run = await harness.store.runs.get(handle.firstExecutionRunId);
  if (!('result' in outcome) || !run) {
    const why = run?.error ? `${run.error.type}: ${run.error.message}` : String((outcome as { error?: unknown }).error);
    throw new Error(`The run of ${handle.workflowId} did not succeed (${why})`);
  }
  const received = (await readings.received(fake)).map((key) => key.toLowerCase()).sort();
  return {
    handle,
    result: outcome.result,
    run,
    writes: (await readings.writes(fake)) - started.writesBefore,
    received,
  };
}
