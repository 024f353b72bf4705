import { defaultPayloadConverter } from '@temporalio/workflow';
import type { ActivityInput, LocalActivityInput, WorkflowInterceptorsFactory } from '@temporalio/workflow';

/**
 * The header that carries a run's sync id to every activity it schedules, so the worker can put it
 * on the activity's log lines (worker/log-context.ts) without reading the run record or the
 * activity's arguments. A sync id is a config name, never personal data.
 */
export const SYNC_ID_HEADER = 'rosterflow-sync-id';

/**
 * Workflow interceptors (registered with the worker and in the prebuilt bundle): the sync id from
 * the run's input goes on the workflow's own log lines and, as a header, to its activities.
 * The SDK calls this once per workflow execution: the sync id lives in its closure, one per run.
 */
export const interceptors: WorkflowInterceptorsFactory = () => {
  let syncId: string | undefined;
  const withHeader = <T extends ActivityInput | LocalActivityInput>(input: T): T =>
    syncId === undefined
      ? input
      : { ...input, headers: { ...input.headers, [SYNC_ID_HEADER]: defaultPayloadConverter.toPayload(syncId) } };
  return {
    inbound: [
      {
        execute(input, next) {
          syncId = syncIdOf(input.args[0]);
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => next(withHeader(input)),
        scheduleLocalActivity: (input, next) => next(withHeader(input)),
        getLogAttributes: (input, next) => next(syncId === undefined ? input : { ...input, syncId }),
      },
    ],
  };
};

/**
 * The `syncId` of a syncRoster input, or of the alert a sendAlerts input carries; undefined for other
 * workflows' inputs (the upload lock's).
 */
export function syncIdOf(firstArg: unknown): string | undefined {
  if (typeof firstArg !== 'object' || firstArg === null) return undefined;
  const { syncId, alert } = firstArg as { syncId?: unknown; alert?: unknown };
  if (syncId === undefined && typeof alert === 'object' && alert !== null) return syncIdOf(alert);
  return typeof syncId === 'string' && syncId !== '' ? syncId : undefined;
}
