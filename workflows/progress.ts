import { defineQuery } from '@temporalio/workflow';

/**
 * What the `progress` query answers: where a run is, from the workflow's own view. Ids, counts,
 * types, times and the target's own state names only: never employee data. The attempt of the
 * current step and how far into it the step is (employees so far) are its activity's, read with
 * `describe()` (cli/run-status.ts puts the two together).
 */
export interface SyncProgress {
  syncId: string;
  runId: string;
  workflowId: string;
  trigger: string;
  dryRun: boolean;
  /** Known once the sync is resolved. */
  sourceType?: string;
  targetType?: string;
  status: RunStatus;
  /** The step running now; unset before the first and after the last. */
  step?: RunStepName;
  /** ISO time the current step started. */
  stepStartedAt?: string;
  stepsDone: RunStepName[];
  /** Filled in as the steps finish. */
  counts: {
    pulled?: number;
    rejected?: number;
    rendered?: number;
    renderRejected?: number;
    /** People the plan would deactivate, from the plan step. */
    deactivations?: number;
  };
  /** What the run is waiting on, if anything. */
  wait?: RunWait;
  /** How the run's last hold ended: who decided and when (an operator's name as they gave it). */
  holdDecision?: { outcome: 'approved' | 'rejected' | 'expired'; by?: string; at: string };
  /** The failure's type, once the run failed. */
  failure?: string;
  /** ISO time of the last change. */
  updatedAt: string;
}

export type RunStatus = 'running' | 'held' | 'succeeded' | 'partial' | 'failed';
export type RunStepName = 'resolve' | 'build' | 'plan' | 'deliver' | 'finish';

/** A durable wait: until a time, an operator, a lock or a vendor. Times are ISO. */
export type RunWait =
  | { kind: 'hold'; reasons: string[]; since: string; expiresAt: string }
  | { kind: 'rate-limit'; reason: string; since: string; until: string }
  /** Behind whichever run holds the lock: the lock workflow's `holder` query names it. */
  | { kind: 'upload-lock'; lockWorkflowId: string; since: string }
  | { kind: 'vendor-import'; target: string; state: string; since: string; nextCheckAt?: string };

export const progressQuery = defineQuery<SyncProgress>('progress');
