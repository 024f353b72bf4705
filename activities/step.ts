import { activityInfo } from '@temporalio/activity';
import type { StepName } from '../store/run-record';
import type { ActivityDeps } from './deps';
import { toApplicationFailure } from './failures';
import { recordStepDuration } from './metrics';

/**
 * Runs one pipeline step: records its attempt and timing in the run record and in the step duration
 * metric, and classifies failures.
 */
export async function runStep<T>(
  deps: ActivityDeps,
  runId: string,
  step: StepName,
  work: () => Promise<T>,
): Promise<T> {
  const startedAt = new Date();
  await deps.store.runs.stepStarted(runId, step, activityInfo().attempt);
  try {
    const result = await work();
    await deps.store.runs.stepFinished(runId, step, startedAt);
    await recordStepDuration(deps, runId, step, startedAt, 'succeeded');
    return result;
  } catch (err) {
    const failure = toApplicationFailure(err, step);
    await deps.store.runs.stepFinished(runId, step, startedAt, failure.message).catch(() => undefined);
    await recordStepDuration(deps, runId, step, startedAt, 'failed');
    throw failure;
  }
}
