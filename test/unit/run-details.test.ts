import { describe, expect, it } from 'vitest';
import type { SyncProgress } from '../../workflows/progress';
import { runDetails } from '../../workflows/run-details';

const base: SyncProgress = {
  syncId: 'acme-people',
  runId: 'run-1',
  workflowId: 'wf-1',
  trigger: 'schedule',
  dryRun: false,
  status: 'running',
  stepsDone: ['resolve'],
  counts: {},
  updatedAt: '2026-12-06T10:00:00.000Z',
};

describe('the Web UI details of a run', () => {
  it('puts HELD and each reason first, with how to answer', () => {
    const lines = runDetails({
      ...base,
      status: 'held',
      step: 'plan',
      wait: {
        kind: 'hold',
        reasons: ['6 of 9 would be deactivated', 'the source shrank by 70%'],
        since: '2026-12-06T10:00:00.000Z',
        expiresAt: '2026-12-07T10:00:00.000Z',
      },
    }).split('\n');
    expect(lines[0]).toBe('**HELD for approval**: a safety rule tripped, nothing has been delivered.');
    // A blank line before the list, so markdown renders the bullets as a list and not run together.
    expect(lines.slice(1, 4)).toEqual(['', '- 6 of 9 would be deactivated', '- the source shrank by 70%']);
    expect(lines.join('\n')).toContain('`rosterflow approve|reject wf-1 --reason "<why>"`');
  });

  it('says the step, the wait and the counts so far of a running run', () => {
    const text = runDetails({
      ...base,
      step: 'deliver',
      stepStartedAt: '2026-12-06T10:01:00.000Z',
      stepsDone: ['resolve', 'build', 'plan'],
      counts: { pulled: 1200, rejected: 3, rendered: 1190, renderRejected: 7, deactivations: 2 },
      wait: {
        kind: 'rate-limit',
        reason: 'rate limited by the SCIM app',
        since: 'a',
        until: '2026-12-06T10:02:00.000Z',
      },
    });
    expect(text.split('\n')[0]).toBe('**Running**: deliver (since 2026-12-06T10:01:00.000Z)');
    expect(text).toContain('Waiting: rate limited (rate limited by the SCIM app) until 2026-12-06T10:02:00.000Z');
    expect(text).toContain(
      "Employees: 1200 pulled, 3 rejected by the source, 1190 rendered, 7 refused by the target's checks, 2 planned deactivations",
    );
    expect(text).toContain('Steps done: resolve → build → plan');
  });

  it('names a failure by its type, and a partial run as partial', () => {
    expect(runDetails({ ...base, status: 'failed', failure: 'SourceEmpty' }).split('\n')[0]).toBe(
      '**Failed** (SourceEmpty); nothing more will be sent.',
    );
    expect(runDetails({ ...base, status: 'partial' })).toMatch(/^\*\*Partial\*\*: delivered/);
  });
});
