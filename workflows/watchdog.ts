import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, WorkflowIdReusePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { PERMANENT_ERROR_TYPES } from '../core/errors';
import { sendAlerts } from './send-alerts';

/** Nothing to say: the watchdog reads the config file and the run store. */
export type WatchSyncsInput = Record<string, never>;

const { findStaleSyncs, markStaleAlerted } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // A few tries within the tick; the next tick (10 minutes on) tries afresh anyway.
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES],
  },
});

/**
 * The stale-sync watchdog, run by its own Temporal Schedule (cli/schedules/watchdog.ts), since a
 * sync that stopped running sends nothing itself. Each tick alerts once for each watched sync that
 * has gone stale since its last success (notify/stale.ts): a `sendAlerts` child per sync, abandoned
 * so a slow receiver never holds the watchdog up. The child's id names the sync and the missed fire
 * time, and a closed one is not started again, so a tick that failed after starting it (before
 * recording it) cannot alert twice.
 */
export async function watchSyncs(_input: WatchSyncsInput = {}): Promise<{ alerted: string[] }> {
  const alerted: string[] = [];
  for (const stale of await findStaleSyncs()) {
    try {
      await startChild(sendAlerts, {
        workflowId: `rosterflow-stale-${stale.syncId}-${stale.fireTime}`,
        args: [{ alert: stale.alert }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    } catch (err) {
      // Started by an earlier attempt of this tick: its alert went out.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    await markStaleAlerted({ syncId: stale.syncId, fireTime: stale.fireTime });
    alerted.push(stale.syncId);
  }
  return { alerted };
}
