import type { RunStatus, RunTrigger } from '../store/run-record';
import type { ActivityDeps } from './deps';

export interface StartRunInput {
  runId: string;
  workflowId: string;
  syncId: string;
  trigger: RunTrigger;
  dryRun: boolean;
  /** ISO time the workflow started. */
  startedAt: string;
}

export interface FinishRunInput {
  runId: string;
  status: Exclude<RunStatus, 'running'>;
  error?: { type: string; message: string };
}

export function createRunRecordActivities(deps: ActivityDeps) {
  return {
    async startRun(input: StartRunInput): Promise<void> {
      await deps.store.runs.start({ ...input, startedAt: new Date(input.startedAt) });
    },

    /** Closes the run record and deletes the run's staged employee rows. */
    async finishRun(input: FinishRunInput): Promise<void> {
      await deps.store.runs.finish(input.runId, input.status, input.error);
      await deps.store.staging.deleteRun(input.runId);
    },
  };
}
