import { WorkflowFailedError } from '@temporalio/client';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { summarizeFailure } from '../core/failure-summary';
import type { FailureSummary } from '../core/failure-summary';
import type { RunStore } from '../store/runs';
import type { PendingHold } from '../workflows/hold';
import type { SyncRosterInput, SyncRosterResult } from '../workflows/sync-roster';
import { pause, watchRun } from './watch-run';

export type SyncOutcome =
  | { ok: true; workflowId: string; runId: string; result: SyncRosterResult }
  | { ok: false; workflowId: string; runId: string; failure: FailureSummary };

const HOLD_POLL_MS = 2_000;

export interface StartSyncOptions {
  syncId: string;
  dryRun: boolean;
  taskQueue: string;
  /** Where to print the run's progress (cli/watch-run.ts), with the run store to read it from. */
  progress?: { print: (line: string) => void; runs?: RunStore };
}

/**
 * Starts `syncRoster` now, the same way the Web UI or a Schedule would, and waits for its outcome.
 * While it waits, `onHeld` hears of each safety hold the run enters (it then waits for an operator),
 * and `options.progress` of every step, retry and wait.
 */
export async function startSyncAndWait(
  client: Client,
  options: StartSyncOptions,
  onStarted?: (ids: { workflowId: string; runId: string }) => void,
  onHeld?: (hold: PendingHold, ids: { workflowId: string; runId: string }) => void,
): Promise<SyncOutcome> {
  const input: SyncRosterInput = { syncId: options.syncId, dryRun: options.dryRun, trigger: 'cli' };
  const workflowId = `rosterflow-${options.syncId}-cli-${new Date().toISOString().replace(/[-:.]/g, '')}`;
  const handle = await client.workflow.start('syncRoster', { taskQueue: options.taskQueue, workflowId, args: [input] });
  const runId = handle.firstExecutionRunId;
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
    const result = (await handle.result()) as SyncRosterResult;
    return { ok: true, workflowId, runId, result };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    return { ok: false, workflowId, runId, failure: summarizeFailure(err.cause) };
  } finally {
    settled.abort();
    await Promise.all([watching, watchingProgress]);
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
