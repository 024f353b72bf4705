import { ApplicationFailure } from '@temporalio/common';
import { MongoError } from 'mongodb';
import { RosterflowError } from '../core/errors';

/**
 * Turns anything an activity throws into an ApplicationFailure whose message is safe to keep in
 * Temporal history: our own errors keep their message (they never carry employee data); anything
 * else is reduced to its class and code, because driver and library messages can quote data.
 */
export function toApplicationFailure(err: unknown, step: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof RosterflowError) {
    return ApplicationFailure.create({
      message: err.message,
      type: err.type,
      nonRetryable: !err.retryable,
      // A remote Retry-After longer than the HTTP layer waits in-process becomes the activity's next retry delay.
      ...(err.retryAfterMs === undefined ? {} : { nextRetryDelay: err.retryAfterMs }),
    });
  }
  if (err instanceof MongoError) {
    return ApplicationFailure.create({
      message: `${step}: the run store failed (${err.name}${err.code === undefined ? '' : ` ${String(err.code)}`})`,
      type: 'StoreUnavailable',
    });
  }
  const name = err instanceof Error ? err.name : typeof err;
  const code = (err as { code?: unknown } | null)?.code;
  return ApplicationFailure.create({
    message: `${step} failed unexpectedly (${name}${typeof code === 'string' ? ` ${code}` : ''})`,
    type: 'Unexpected',
  });
}
