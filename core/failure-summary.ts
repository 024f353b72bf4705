import { ActivityFailure, ApplicationFailure, CancelledFailure } from '@temporalio/common';

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
  if (failure instanceof ApplicationFailure) {
    const type = failure.type ?? 'ApplicationFailure';
    // A run's own failure (see `runFailure`) leads with its type; the summary names it once.
    const message = failure.message.startsWith(`${type}: `) ? failure.message.slice(type.length + 2) : failure.message;
    return { type, message };
  }
  if (failure instanceof Error) return { type: failure.name, message: failure.message };
  return { type: 'Unknown', message: 'the run failed' };
}

/**
 * What a workflow fails with, for the Web UI and `describe`: a failed step becomes an
 * ApplicationFailure "Type: message" of the step's own failure instead of "Activity task failed";
 * its cause chain is kept only when no stack in it names a file by its absolute path. Failures the
 * workflow raised itself are led by their type the same way and lose their stack (the bundle's paths).
 * Anything else (a cancellation, a bug in workflow code) is returned unchanged.
 */
export function runFailure(err: unknown): unknown {
  // A cancelled run must end as cancelled, not failed.
  if (err instanceof ActivityFailure && !(err.cause instanceof CancelledFailure)) {
    const { type, message } = summarizeFailure(err);
    const cause = err.cause && !namesAbsolutePaths(err.cause) ? err.cause : undefined;
    const failure = ApplicationFailure.create({
      type,
      message: `${type}: ${message}`,
      nonRetryable: true,
      ...(cause ? { cause } : {}),
    });
    failure.stack = '';
    return failure;
  }
  if (err instanceof ApplicationFailure) {
    // Raised by the workflow itself (SourceEmpty, RowsRejected, HoldRejected...): the same "Type: message".
    const { type, message } = summarizeFailure(err);
    const failure = ApplicationFailure.create({
      type,
      message: `${type}: ${message}`,
      nonRetryable: err.nonRetryable === true,
      ...(err.details === undefined || err.details === null ? {} : { details: [...err.details] }),
    });
    failure.stack = '';
    return failure;
  }
  return err;
}

/** A stack frame with a POSIX (`/home/...`, `file:///...`) or Windows (`C:\...`) absolute path. */
const FRAME_WITH_ABSOLUTE_PATH = /^\s+at (?:.*\()?(?:file:\/\/)?(?:\/[^\s/]|[A-Za-z]:\\)/m;

function namesAbsolutePaths(err: unknown): boolean {
  for (let current = err; current instanceof Error; current = current.cause) {
    if (FRAME_WITH_ABSOLUTE_PATH.test(current.stack ?? '')) return true;
  }
  return false;
}
