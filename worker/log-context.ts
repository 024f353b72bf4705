import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Headers } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { SYNC_ID_HEADER } from '../workflows/log-context';
import type { RunStepName } from '../workflows/progress';

/** A step as the worker's log lines name it: the run's steps, plus the run record's start, a hold and alerts. */
export type LogStep = RunStepName | 'start' | 'hold' | 'notify';

/**
 * The step each of the pipeline's own activities belongs to. Every activity not listed is a
 * target's (targets/<type>/activities.ts), and targets only deliver; test/unit/worker-log-context.test.ts
 * checks that no other activity is left out.
 */
export const STEP_OF_PIPELINE_ACTIVITY: Readonly<Record<string, LogStep>> = {
  startRun: 'start',
  resolveSync: 'resolve',
  buildArtifacts: 'build',
  // The two halves of the build of runs started before the one-pass build.
  extractEmployees: 'build',
  renderArtifacts: 'build',
  planRun: 'plan',
  planDelivery: 'plan',
  holdRun: 'hold',
  endHold: 'hold',
  // Called by the targets' deliveries (their upload lock and its events).
  requestUploadLock: 'deliver',
  recordRunEvent: 'deliver',
  commitSnapshot: 'finish',
  discardSnapshot: 'finish',
  finishRun: 'finish',
  // The alerts child workflow's (workflows/send-alerts.ts).
  alertChannels: 'notify',
  sendAlert: 'notify',
  recordAlertOutcome: 'notify',
  // The stale-sync watchdog's (workflows/watchdog.ts).
  findStaleSyncs: 'notify',
  markStaleAlerted: 'notify',
};

export function stepOfActivity(activityType: string): LogStep {
  return STEP_OF_PIPELINE_ACTIVITY[activityType] ?? 'deliver';
}

/**
 * The workflow side (workflows/log-context.ts), for the worker and for prebuilt bundles
 * (bundleWorkflowCode). Without an extension: the bundler finds the .ts source or the built .js.
 */
export const WORKFLOW_LOG_CONTEXT_MODULE = join(__dirname, '..', 'workflows', 'log-context');

/**
 * Adds the run's sync id and the activity's step to the SDK's attributes on every log line of an
 * activity (the SDK adds workflowId, workflowRunId, activityType and attempt). The sync id comes in
 * a header the workflow set (workflows/log-context.ts); an activity of a run whose workflow code
 * predates the header simply logs without it. Nothing here reads the activity's arguments.
 */
export const activityLogContext: ActivityInterceptorsFactory = (ctx) => {
  const step = stepOfActivity(ctx.info.activityType);
  let syncId: string | undefined;
  return {
    inbound: {
      execute(input, next) {
        syncId = syncIdFromHeaders(input.headers);
        return next(input);
      },
    },
    outbound: {
      getLogAttributes: (input, next) => next({ ...input, ...(syncId === undefined ? {} : { syncId }), step }),
    },
  };
};

/** The sync id a workflow put in an activity's headers; undefined if it put none (or none readable). */
export function syncIdFromHeaders(headers: Headers): string | undefined {
  const payload = headers[SYNC_ID_HEADER];
  if (payload === undefined) return undefined;
  try {
    const value: unknown = defaultPayloadConverter.fromPayload(payload);
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}
