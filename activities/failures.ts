import { resolve } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MongoError } from 'mongodb';
import { RosterflowError } from '../core/errors';

/** The checkout the worker runs from: stack frames under it are shown relative to it. */
const REPO_ROOT = resolve(__dirname, '..');

/**
 * Turns anything an activity throws into an ApplicationFailure whose message is safe to keep in
 * Temporal history: our own errors keep their message (they never carry employee data); anything
 * else is reduced to its class and code, because driver and library messages can quote data.
 * Expected failures carry no stack trace (it would only show this machine's paths in the Web UI);
 * an unexpected one keeps the thrower's frames, relative to the checkout, for the bug report.
 */
export function toApplicationFailure(err: unknown, step: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return withoutStack(err);
  if (err instanceof RosterflowError) {
    return withoutStack(
      ApplicationFailure.create({
        message: err.message,
        type: err.type,
        nonRetryable: !err.retryable,
        // A remote Retry-After longer than the HTTP layer waits in-process becomes the activity's next retry delay.
        ...(err.retryAfterMs === undefined ? {} : { nextRetryDelay: err.retryAfterMs }),
      }),
    );
  }
  if (err instanceof MongoError) {
    return withoutStack(
      ApplicationFailure.create({
        message: `${step}: the run store failed (${err.name}${err.code === undefined ? '' : ` ${String(err.code)}`})`,
        type: 'StoreUnavailable',
      }),
    );
  }
  const name = err instanceof Error ? err.name : typeof err;
  const code = (err as { code?: unknown } | null)?.code;
  const failure = ApplicationFailure.create({
    message: `${step} failed unexpectedly (${name}${typeof code === 'string' ? ` ${code}` : ''})`,
    type: 'Unexpected',
  });
  failure.stack = `${failure.type}: ${failure.message}\n${relativeFrames(err instanceof Error ? err.stack : undefined)}`;
  return failure;
}

function withoutStack(failure: ApplicationFailure): ApplicationFailure {
  failure.stack = '';
  return failure;
}

/**
 * The `at ...` lines of a stack, paths inside the checkout made relative. The first line is left
 * out: it repeats the message, which a library may have written with data in it.
 */
function relativeFrames(stack: string | undefined): string {
  return (stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .map((line) => line.replaceAll(`file://${REPO_ROOT}/`, '').replaceAll(`${REPO_ROOT}/`, ''))
    .join('\n');
}
