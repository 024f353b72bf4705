import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { toApplicationFailure } from '../../activities/failures';
import { RosterflowError } from '../../core/errors';
import { formatLogEntry } from '../../worker/logger';

const now = new Date('2026-12-04T10:00:00.000Z');
const activity = {
  activityType: 'extractEmployees',
  attempt: 3,
  workflowId: 'rosterflow-acme-people-cli-1',
  taskToken: 'CiQ4ZGQ0...',
  namespace: 'default',
  taskQueue: 'rosterflow',
};

describe('worker log lines', () => {
  it('an expected activity failure is one line without stack or task token', () => {
    const error = toApplicationFailure(
      new RosterflowError('SourceUnavailable', 'csv source: no file at x.csv'),
      'extract',
    );
    const line = formatLogEntry('WARN', 'Activity failed', { ...activity, error, durationMs: 12 }, now);
    expect(line).toBe(
      '2026-12-04T10:00:00.000Z WARN  extractEmployees attempt 3 failed: SourceUnavailable: csv source: no file at x.csv (workflow rosterflow-acme-people-cli-1)',
    );
  });

  it('an unexpected one (a bug) keeps its stack, with paths relative to the checkout', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    const error = toApplicationFailure(bug, 'extract');
    expect(error).toBeInstanceOf(ApplicationFailure);
    const line = formatLogEntry('WARN', 'Activity failed', { ...activity, error }, now);
    expect(line.split('\n')[0]).toBe(
      '2026-12-04T10:00:00.000Z WARN  Activity failed activityType=extractEmployees attempt=3 workflowId=rosterflow-acme-people-cli-1',
    );
    expect(line).toContain('Unexpected: extract failed unexpectedly (TypeError)');
    expect(line).toMatch(/\n\s+at .*test\/unit\/worker-logger\.test\.ts:\d+/);
    expect(line).not.toContain(process.cwd());
    // The message of the original error may quote data: it is not in the log.
    expect(line).not.toContain('reading');
    expect(line).not.toContain('taskToken');
  });
});
