import type { RunStatus, RunTrigger } from '../store/run-record';
import type { ActivityDeps } from './deps';
import { recordRateLimitWaitOfRun, recordRunFinished } from './metrics';

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

export interface RecordRunEventInput {
  runId: string;
  step: string;
  kind: string;
  /** Ids, counts and waits only: never employee data. */
  detail: string;
  /** ISO time a durable wait this event announces ends. */
  until?: string;
}

export function createRunRecordActivities(deps: ActivityDeps) {
  return {
    /** Notes something an operator should see in the run record, e.g. a rate limit being waited out. */
    async recordRunEvent(input: RecordRunEventInput): Promise<void> {
      await deps.store.runs.addEvent(input.runId, {
        at: new Date(),
        step: input.step,
        kind: input.kind,
        detail: input.detail,
        ...(input.until === undefined ? {} : { until: new Date(input.until) }),
      });
      if (input.kind === 'rate-limited' && input.until !== undefined) {
        await recordRateLimitWaitOfRun(deps, input.runId, new Date(input.until).getTime() - Date.now());
      }
    },

    async startRun(input: StartRunInput): Promise<void> {
      await deps.store.runs.start({ ...input, startedAt: new Date(input.startedAt) });
    },

    /**
     * Closes the run record and deletes the run's working data: its checkpoints, the pages of a build
     * that never finished (a drop, whatever the roster's size), and what runs from before the one-pass
     * build staged (staged employee rows, render segments).
     */
    async finishRun(input: FinishRunInput): Promise<void> {
      // A retry after the record was closed counts nothing again.
      const alreadyFinished = (await deps.store.runs.get(input.runId))?.finishedAt !== undefined;
      await deps.store.runs.finish(input.runId, input.status, input.error);
      const finished = alreadyFinished ? null : await deps.store.runs.get(input.runId);
      if (finished) await recordRunFinished(finished);
      const build = await deps.store.checkpoints.get<{ result?: unknown }>(input.runId, 'build');
      if (build && build.data.result === undefined) await deps.store.artifactPages.drop(input.runId);
      // A failed run's planned snapshot (the build writes it as it goes) never becomes a baseline.
      if (input.status === 'failed') await deps.store.snapshots.discard(input.runId);
      await deps.store.staging.deleteRun(input.runId);
      await deps.store.renderSegments.deleteRun(input.runId);
      await deps.store.checkpoints.deleteRun(input.runId);
    },
  };
}
