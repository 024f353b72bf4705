import { ActivityFailure, ApplicationFailure } from '@temporalio/common';

export interface FailureSummary {
  type: string;
  message: string;
}

/**
 * The type and message an operator should see for a failed run: the activity's own failure rather
 * than the "activity task failed" wrapper. Pure, so workflow code may use it too.
 */
export function summarizeFailure(err: unknown): FailureSummary {
  const failure = err instanceof ActivityFailure && err.cause ? err.cause : err;
  if (failure instanceof ApplicationFailure)
    return { type: failure.type ?? 'ApplicationFailure', message: failure.message };
  if (failure instanceof Error) return { type: failure.name, message: failure.message };
  return { type: 'Unknown', message: 'the run failed' };
}
