import { msNumberToTs } from '@temporalio/common/lib/time';
import { describe, expect, it } from 'vitest';
import { RunProgress } from '../../cli/run-progress';
import type { RunRecord } from '../../store/run-record';

const at = (seconds: number) => new Date(Date.UTC(2026, 11, 4, 18, 0, seconds));

function record(fields: Partial<RunRecord>): RunRecord {
  return {
    _id: 'run-1',
    runId: 'run-1',
    workflowId: 'wf-1',
    syncId: 'acme',
    trigger: 'cli',
    dryRun: false,
    status: 'running',
    startedAt: at(0),
    steps: {},
    counts: {},
    rejections: [],
    ...fields,
  };
}

describe('RunProgress: one line per change, in the order things happened', () => {
  it('prints a step start once and its end once, and events between them by time', () => {
    const progress = new RunProgress();
    const running = record({ steps: { deliver: { status: 'running', attempt: 1, startedAt: at(1) } } });
    expect(progress.fromRecord(running)).toEqual(['  deliver started']);
    expect(progress.fromRecord(running)).toEqual([]);
    const done = record({
      steps: {
        deliver: { status: 'succeeded', attempt: 1, startedAt: at(1), finishedAt: at(9), durationMs: 8_000 },
      },
      events: [
        {
          at: at(3),
          step: 'deliver',
          kind: 'rate-limited',
          detail: 'Allstacks answered HTTP 429 (attempt 1); waiting 5s on a durable timer',
          until: at(8),
        },
        { at: at(2), step: 'plan', kind: 'held', detail: 'printed from the hold query instead' },
        { at: at(2), step: 'plan', kind: 'hold-approved', detail: 'by ops-fay: INC-9' },
      ],
    });
    expect(progress.fromRecord(done)).toEqual([
      '  plan: hold approved by ops-fay: INC-9',
      '  deliver: Allstacks answered HTTP 429 (attempt 1); waiting 5s on a durable timer (until 18:00:08 UTC)',
      '  deliver finished in 8.0 s',
    ]);
  });

  it('prints a failed attempt once, with its type, message and the backoff Temporal chose', () => {
    const progress = new RunProgress();
    const pending = [
      {
        activityId: '3',
        activityType: { name: 'extractEmployees' },
        attempt: 3,
        maximumAttempts: 8,
        lastFailure: {
          message: 'HiBob: POST /v1/people/search failed (HTTP 500)\nmore',
          applicationFailureInfo: { type: 'SourceUnavailable' },
        },
        lastAttemptCompleteTime: msNumberToTs(100_000),
        nextAttemptScheduleTime: msNumberToTs(120_000),
      },
    ];
    const expected = [
      '  extract attempt 2 of 8 failed: SourceUnavailable: HiBob: POST /v1/people/search failed (HTTP 500); retrying in 20 s',
    ];
    expect(progress.fromPendingActivities(pending)).toEqual(expected);
    expect(progress.fromPendingActivities(pending)).toEqual([]);
  });
});
