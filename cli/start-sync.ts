import { WorkflowFailedError } from '@temporalio/client';
import type { Client, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { summarizeFailure } from '../core/failure-summary';
import type { FailureSummary } from '../core/failure-summary';
import type { RunStore } from '../store/runs';
import type { PendingHold } from '../workflows/hold';
import type { SyncRosterInput, SyncRosterResult } from '../workflows/sync-roster';
import type { RunView } from './run-status';
import { pause, watchRun } from './watch-run';

export type SyncOutcome =
  | { ok: true; workflowId: string; runId: string; result: SyncRosterResult }
  | { ok: false; workflowId: string; runId: string; failure: FailureSummary };

const HOLD_POLL_MS = 2_000;

export interface StartSyncOptions {
  syncId: string;
  dryRun: boolean;
  taskQueue: string;
  /** The run's one line in the Web UI (core/run-summary.ts); none when the config could not be read. */
  staticSummary?: string;
  /**
   * Where to print the run's progress (cli/watch-run.ts), with the run store to read it from, and
   * who hears its merged view every round (a live progress bar).
   */
  progress?: { print: (line: string) => void; runs?: RunStore; onView?: (view: RunView) => void };
}

/** Starts `syncRoster` now, the same way the Web UI or a Schedule would, without waiting for it. */
export function startSync(
  client: Client,
  options: Omit<StartSyncOptions, 'progress'>,
): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const input: SyncRosterInput = { syncId: options.syncId, dryRun: options.dryRun, trigger: 'cli' };
  const workflowId = `rosterflow-${options.syncId}-cli-${new Date().toISOString().replace(/[-:.]/g, '')}`;
  return client.workflow.start('syncRoster', {
    taskQueue: options.taskQueue,
    workflowId,
    args: [input],
    ...(options.staticSummary === undefined ? {} : { staticSummary: options.staticSummary }),
  });
}

/**
 * Starts `syncRoster` now and waits for its outcome. While it waits, `onHeld` hears of each safety
 * hold the run enters (it then waits for an operator), and `options.progress` of every step, retry
 * and wait.
 */
export async function startSyncAndWait(
  client: Client,
  options: StartSyncOptions,
  onStarted?: (ids: { workflowId: string; runId: string }) => void,
  onHeld?: (hold: PendingHold, ids: { workflowId: string; runId: string }) => void,
): Promise<SyncOutcome> {
  const handle = await startSync(client, options);
  const { workflowId, firstExecutionRunId: runId } = handle;
  onStarted?.({ workflowId, runId });
  const settled = new AbortController();
  const watching = onHeld
    ? watchHolds(handle, settled.signal, (hold) => onHeld(hold, { workflowId, runId }))
    : undefined;
  const { progress } = options;
  const watchingProgress = progress
    ? watchRun({ client, handle, runId, taskQueue: options.taskQueue, ...progress, over: settled.signal })
    : undefined;
  try {
    return await outcomeOf(handle, runId);
  } finally {
    settled.abort();
    await Promise.all([watching, watchingProgress]);
  }
}

/** How a run ended (or, while it runs, will end): its result, or its failure as an operator should read it. */
export async function outcomeOf(handle: WorkflowHandle, runId: string): Promise<SyncOutcome> {
  const { workflowId } = handle;
  try {
    const result = (await handle.result()) as SyncRosterResult;
    return { ok: true, workflowId, runId, result };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    return { ok: false, workflowId, runId, failure: summarizeFailure(err.cause) };
  }
}

/** Asks the run's `hold` query (workflows/hold.ts) every few seconds and reports each hold once, until the run is over. */
async function watchHolds(
  handle: WorkflowHandle,
  over: AbortSignal,
  report: (hold: PendingHold) => void,
): Promise<void> {
  let reported: string | undefined;
  while (!over.aborted) {
    await pause(HOLD_POLL_MS, over);
    if (over.aborted) return;
    const hold = await handle.query<PendingHold | null>('hold').catch(() => null);
    if (hold && hold.since !== reported) {
      reported = hold.since;
      report(hold);
    }
  }
}
