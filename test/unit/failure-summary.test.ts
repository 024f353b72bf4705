import { ActivityFailure, ApplicationFailure, CancelledFailure, RetryState } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { runFailure, summarizeFailure } from '../../core/failure-summary';

const activityFailed = (cause: Error) =>
  new ActivityFailure('Activity task failed', 'extractEmployees', '3', RetryState.NON_RETRYABLE_FAILURE, 'w', cause);

describe('runFailure: what a workflow fails with', () => {
  it("replaces 'Activity task failed' by the step's type and message, keeping a cause without paths", () => {
    const step = ApplicationFailure.create({ type: 'SecretUnavailable', message: 'target.apiToken: unset' });
    step.stack = '';
    const failure = runFailure(activityFailed(step)) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe('SecretUnavailable');
    expect(failure.message).toBe('SecretUnavailable: target.apiToken: unset');
    expect(failure.stack).toBe('');
    expect(failure.cause).toBe(step);
    // The CLI's summary of it names the type once.
    expect(summarizeFailure(failure)).toEqual({ type: 'SecretUnavailable', message: 'target.apiToken: unset' });
  });

  it('drops a cause whose stack names absolute paths', () => {
    const step = ApplicationFailure.create({ type: 'SourceUnavailable', message: 'no answer' });
    step.stack = 'ApplicationFailure: no answer\n    at read (/home/ops/rosterflow/connectors/x.ts:1:2)';
    const failure = runFailure(activityFailed(step)) as ApplicationFailure;
    expect(failure.message).toBe('SourceUnavailable: no answer');
    expect(failure.cause).toBeUndefined();
  });

  it('leaves a cancellation as it is, and leads a failure the workflow raised with its type, without a stack', () => {
    const cancelled = activityFailed(new CancelledFailure('cancelled'));
    expect(runFailure(cancelled)).toBe(cancelled);
    const own = ApplicationFailure.nonRetryable('nothing was delivered', 'SourceEmpty');
    const failure = runFailure(own) as ApplicationFailure;
    expect(failure).toMatchObject({ type: 'SourceEmpty', message: 'SourceEmpty: nothing was delivered' });
    expect(failure.nonRetryable).toBe(true);
    expect(failure.stack).toBe('');
    expect(summarizeFailure(failure)).toEqual({ type: 'SourceEmpty', message: 'nothing was delivered' });
    const bug = new TypeError('x is undefined');
    expect(runFailure(bug)).toBe(bug);
  });
});
