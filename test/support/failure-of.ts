import { expect } from 'vitest';
import { RosterflowError } from '../../core/errors';

/** The RosterflowError `work` fails with; the test fails if it succeeds or fails with anything else. */
export async function failureOf(work: () => Promise<unknown>): Promise<RosterflowError> {
  const err = await work().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(err).toBeInstanceOf(RosterflowError);
  return err as RosterflowError;
}
