import { WorkflowFailedError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import { summarizeFailure } from '../core/failure-summary';
import type { FailureSummary } from '../core/failure-summary';
import type { SyncRosterInput, SyncRosterResult } from '../workflows/sync-roster';

export type SyncOutcome =
  | { ok: true; workflowId: string; runId: string; result: SyncRosterResult }
  | { ok: false; workflowId: string; runId: string; failure: FailureSummary };

/** Starts `syncRoster` now, the same way the Web UI or a Schedule would, and waits for its outcome. */
export async function startSyncAndWait(
  client: Client,
  options: { syncId: string; dryRun: boolean; taskQueue: string },
  onStarted?: (ids: { workflowId: string; runId: string }) => void,
): Promise<SyncOutcome> {
  const input: SyncRosterInput = { syncId: options.syncId, dryRun: options.dryRun, trigger: 'cli' };
  const workflowId = `rosterflow-${options.syncId}-cli-${new Date().toISOString().replace(/[-:.]/g, '')}`;
  const handle = await client.workflow.start('syncRoster', { taskQueue: options.taskQueue, workflowId, args: [input] });
  const runId = handle.firstExecutionRunId;
  onStarted?.({ workflowId, runId });
  try {
    const result = (await handle.result()) as SyncRosterResult;
    return { ok: true, workflowId, runId, result };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    return { ok: false, workflowId, runId, failure: summarizeFailure(err.cause) };
  }
}
