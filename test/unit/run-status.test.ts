import { describe, expect, it } from 'vitest';
import { formatRunView } from '../../cli/commands/status';
import { barPayload } from '../../cli/progress-bar';
import { RunProgress } from '../../cli/run-progress';
import { employeesText, mergeRunView, waitInWords, withOutcome } from '../../cli/run-status';
import type { RunView } from '../../cli/run-status';
import type { RunRecord } from '../../store/run-record';
import type { SyncProgress } from '../../workflows/progress';

const NOW = new Date('2026-12-06T18:00:00.000Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const iso = (seconds: number) => at(seconds).toISOString();

function progress(fields: Partial<SyncProgress>): SyncProgress {
  return {
    syncId: 'acme',
    runId: 'run-1',
    workflowId: 'wf-1',
    trigger: 'cli',
    dryRun: false,
    sourceType: 'csv',
    targetType: 'allstacks',
    status: 'running',
    stepsDone: [],
    counts: {},
    updatedAt: iso(0),
    ...fields,
  };
}

function record(fields: Partial<RunRecord>): RunRecord {
  return {
    _id: 'run-1',
    runId: 'run-1',
    workflowId: 'wf-1',
    syncId: 'acme',
    trigger: 'cli',
    dryRun: false,
    status: 'running',
    startedAt: at(-60),
    steps: {},
    counts: {},
    rejections: [],
    ...fields,
  };
}

function view(fields: Partial<RunView>): RunView {
  return {
    workflowId: 'wf-1',
    runId: 'run-1',
    syncId: 'acme',
    status: 'running',
    temporalStatus: 'RUNNING',
    from: 'progress',
    stepsDone: [],
    counts: {},
    ...fields,
  };
}

const ids = { workflowId: 'wf-1', runId: 'run-1' };

describe('mergeRunView: the progress query, describe() and the run record as one view', () => {
  it("takes the step from the query and the attempt and employees from the step's activity, nothing else of its heartbeat", () => {
    const merged = mergeRunView({
      ...ids,
      temporalStatus: 'RUNNING',
      progress: progress({ step: 'build', stepsDone: ['resolve'] }),
      pending: [
        { activityType: 'recordRunEvent', attempt: 1 },
        {
          activityType: 'buildArtifacts',
          attempt: 2,
          maximumAttempts: 8,
          details: { page: 7, pulled: 1200, keptParts: 3 },
        },
      ],
    });
    expect(merged).toMatchObject({
      status: 'running',
      from: 'progress',
      step: 'build',
      attempt: 2,
      maxAttempts: 8,
      employees: { done: 1200, verb: 'pulled' },
      stepsDone: ['resolve'],
      sourceType: 'csv',
    });
    expect(JSON.stringify(merged)).not.toMatch(/keptParts|page/);
  });

  it('says how many records of the listing were read when the source gave its total', () => {
    const merged = mergeRunView({
      ...ids,
      temporalStatus: 'RUNNING',
      progress: progress({ step: 'build' }),
      pending: [
        { activityType: 'buildArtifacts', attempt: 1, details: { page: 3, pulled: 1200, read: 1210, total: 5000 } },
      ],
    });
    expect(merged.employees).toEqual({ done: 1200, verb: 'pulled', of: { read: 1210, total: 5000 } });
    expect(employeesText(merged.employees!)).toBe('1,200 employees pulled (1,210 of 5,000 records read)');
    expect(employeesText({ done: 1200, verb: 'pulled' })).toBe('1,200 employees pulled');
  });

  it("shows a delivery's `done` and names whom an upload lock waits behind", () => {
    const merged = mergeRunView({
      ...ids,
      temporalStatus: 'RUNNING',
      progress: progress({
        step: 'deliver',
        wait: { kind: 'upload-lock', lockWorkflowId: 'rosterflow-upload-lock-x', since: iso(-5) },
      }),
      pending: [{ activityType: 'deliverScim', attempt: 1, details: { phase: 'writing', done: 340 } }],
      holder: { holderWorkflowId: 'wf-other', queued: 2 },
    });
    expect(merged.employees).toEqual({ done: 340, verb: 'done' });
    expect(merged.attempt).toBe(1);
    expect(JSON.stringify(merged)).not.toContain('writing');
    expect(waitInWords(merged.wait!, NOW)).toBe('waiting for the upload lock behind wf-other (2 in its queue)');
  });

  it('falls back to the run record for a run whose worker does not answer the query: its step and hold', () => {
    const held = record({
      status: 'held',
      sourceType: 'csv',
      targetType: 'csv-file',
      steps: {
        resolve: { status: 'succeeded', attempt: 1, startedAt: at(-50), finishedAt: at(-49) },
        build: { status: 'succeeded', attempt: 1, startedAt: at(-49), finishedAt: at(-40) },
      },
      counts: { pulled: 3, rejected: 0, rendered: 3, renderRejected: 0 },
      plan: { pulled: 3, active: 3, deactivations: 6, tripped: ['6 of 9 would be deactivated'] },
      hold: { reasons: ['6 of 9 would be deactivated'], since: at(-30), expiresAt: at(3600), source: 'plan' },
    });
    const merged = mergeRunView({ ...ids, temporalStatus: 'RUNNING', record: held, now: NOW });
    expect(merged).toMatchObject({
      status: 'held',
      from: 'record',
      stepsDone: ['resolve', 'build', 'plan'],
      counts: { pulled: 3, rendered: 3, deactivations: 6 },
      wait: { kind: 'hold', reasons: ['6 of 9 would be deactivated'], expiresAt: iso(3600) },
    });
    const building = record({ steps: { build: { status: 'running', attempt: 3, startedAt: at(-5) } } });
    expect(
      mergeRunView({
        ...ids,
        temporalStatus: 'RUNNING',
        record: building,
        pending: [{ activityType: 'buildArtifacts', attempt: 3, details: { pulled: 50 } }],
      }),
    ).toMatchObject({ step: 'build', attempt: 3, employees: { done: 50 } });
  });

  it('says a run terminated while its record says running has failed, and shows no step or wait of it', () => {
    const merged = mergeRunView({
      ...ids,
      temporalStatus: 'TERMINATED',
      progress: progress({ step: 'deliver', wait: { kind: 'rate-limit', reason: 'x', since: iso(0), until: iso(9) } }),
      pending: [{ activityType: 'uploadToAllstacks', attempt: 1 }],
    });
    expect(merged).toMatchObject({ status: 'failed', failure: 'the workflow was terminated' });
    expect(merged.step).toBeUndefined();
    expect(merged.wait).toBeUndefined();
  });

  it("takes a finished run's status and counts from its outcome", () => {
    const finished = withOutcome(view({ status: 'running', temporalStatus: 'COMPLETED' }), {
      ok: true,
      ...ids,
      result: {
        status: 'partial',
        syncId: 'acme',
        runId: 'run-1',
        dryRun: false,
        pulled: 10,
        rejected: 1,
        rendered: 9,
        renderRejected: 0,
        artifacts: [],
        delivered: null,
        tripped: [],
      },
    });
    expect(finished).toMatchObject({ status: 'partial', counts: { pulled: 10, rejected: 1, rendered: 9 } });
    const failed = withOutcome(view({}), { ok: false, ...ids, failure: { type: 'SourceEmpty', message: 'm' } });
    expect(failed).toMatchObject({ status: 'failed', failure: 'SourceEmpty' });
  });
});

describe('waitInWords', () => {
  it('says each kind of wait with its times in UTC', () => {
    expect(
      waitInWords({ kind: 'rate-limit', reason: 'Allstacks answered HTTP 429', since: iso(0), until: iso(8) }, NOW),
    ).toBe('Allstacks answered HTTP 429: waiting on a durable timer until 18:00:08 UTC');
    expect(
      waitInWords(
        { kind: 'vendor-import', target: 'staffbase', state: 'PREVIEW_READY', since: iso(0), nextCheckAt: iso(2) },
        NOW,
      ),
    ).toBe('staffbase import is PREVIEW_READY, next check 18:00:02 UTC');
    expect(waitInWords({ kind: 'hold', reasons: ['a', 'b'], since: iso(0), expiresAt: iso(86_400) }, NOW)).toBe(
      "held for an operator's decision (2 safety rules tripped), expires 2026-12-07 18:00 UTC",
    );
    expect(
      waitInWords(
        {
          kind: 'upload-lock',
          lockWorkflowId: 'lock-1',
          since: iso(0),
          holder: { lastHolderWorkflowId: 'wf-2', queued: 0 },
        },
        NOW,
      ),
    ).toBe("waiting for the upload lock: the target's window after wf-2's upload");
    expect(waitInWords({ kind: 'upload-lock', lockWorkflowId: 'lock-1', since: iso(0) }, NOW)).toBe(
      'waiting for its turn at the upload lock lock-1',
    );
  });
});

describe('barPayload: what the live bar shows', () => {
  it('counts the steps done, labels the step with its retry, and says employees and the wait', () => {
    expect(
      barPayload(
        view({
          step: 'build',
          attempt: 2,
          maxAttempts: 8,
          stepsDone: ['resolve'],
          employees: { done: 12_345, verb: 'pulled' },
        }),
        NOW,
      ),
    ).toEqual({ value: 1, total: 4, label: 'build (attempt 2 of 8)', detail: '12,345 employees pulled' });
    expect(
      barPayload(
        view({
          step: 'deliver',
          attempt: 1,
          stepsDone: ['resolve', 'build', 'plan'],
          wait: { kind: 'rate-limit', reason: 'rate limited by the SCIM app', since: iso(0), until: iso(30) },
          employees: { done: 40, verb: 'done' },
        }),
        NOW,
      ),
    ).toEqual({
      value: 3,
      total: 4,
      label: 'deliver',
      detail: '40 done; rate limited by the SCIM app: waiting on a durable timer until 18:00:30 UTC',
    });
  });

  it('says HELD for a held run, and a dry run has no deliver step to count', () => {
    const held = barPayload(
      view({
        status: 'held',
        step: 'plan',
        dryRun: false,
        stepsDone: ['resolve', 'build', 'plan'],
        wait: { kind: 'hold', reasons: ['r'], since: iso(0), expiresAt: iso(60) },
      }),
      NOW,
    );
    expect(held).toMatchObject({ label: 'HELD', value: 3, total: 4 });
    expect(held.detail).toContain("held for an operator's decision (1 safety rule tripped)");
    expect(barPayload(view({ dryRun: true, stepsDone: ['resolve', 'extract', 'render'] }), NOW)).toMatchObject({
      value: 2,
      total: 3,
      label: 'starting',
    });
  });
});

describe('RunProgress.fromWait: lines for the waits the run record does not print', () => {
  const rateLimit = {
    kind: 'rate-limit' as const,
    reason: 'rate limited by the SCIM app',
    since: iso(0),
    until: iso(30),
  };

  it('prints a wait once, after it is seen in two rounds', () => {
    const lines = new RunProgress();
    const waiting = view({ step: 'deliver', wait: rateLimit });
    expect(lines.fromWait(waiting, null, NOW)).toEqual([]);
    expect(lines.fromWait(waiting, null, NOW)).toEqual([
      '  deliver: rate limited by the SCIM app: waiting on a durable timer until 18:00:30 UTC',
    ]);
    expect(lines.fromWait(waiting, null, NOW)).toEqual([]);
  });

  it('leaves out a timer or vendor state the record prints, and a hold (printed from the hold query)', () => {
    const lines = new RunProgress();
    const printed = record({
      events: [{ at: at(0), step: 'deliver', kind: 'rate-limited', detail: 'waiting 30s', until: at(30) }],
      delivery: { target: 'staffbase', location: 'x', states: [{ state: 'DRAFT', at: at(0) }] },
    });
    for (const wait of [
      rateLimit,
      { kind: 'vendor-import' as const, target: 'staffbase', state: 'DRAFT', since: iso(1) },
      { kind: 'hold' as const, reasons: ['r'], since: iso(2), expiresAt: iso(60) },
    ]) {
      const waiting = view({ step: 'deliver', wait });
      expect([...lines.fromWait(waiting, printed, NOW), ...lines.fromWait(waiting, printed, NOW)]).toEqual([]);
    }
  });

  it('names whom an upload lock waits behind, though the record says that the run waits', () => {
    const lines = new RunProgress();
    const printed = record({
      events: [{ at: at(0), step: 'deliver', kind: 'lock-wait', detail: 'waiting for the upload lock of allstacks:x' }],
    });
    const wait = { kind: 'upload-lock' as const, lockWorkflowId: 'lock-1', since: iso(1) };
    const unknown = view({ step: 'deliver', wait });
    expect([...lines.fromWait(unknown, printed, NOW), ...lines.fromWait(unknown, printed, NOW)]).toEqual([]);
    const behind = view({ step: 'deliver', wait: { ...wait, holder: { holderWorkflowId: 'wf-first', queued: 1 } } });
    expect([...lines.fromWait(behind, printed, NOW), ...lines.fromWait(behind, printed, NOW)]).toEqual([
      '  deliver: waiting for the upload lock behind wf-first (1 in its queue)',
    ]);
  });
});

describe('formatRunView: `rosterflow status` of a running run', () => {
  it('names the step, its attempt, employees so far, the steps done, counts and the wait', () => {
    const text = formatRunView(
      view({
        sourceType: 'csv',
        targetType: 'scim',
        step: 'deliver',
        attempt: 2,
        maxAttempts: 8,
        employees: { done: 40, verb: 'done' },
        stepsDone: ['resolve', 'build', 'plan'],
        counts: { pulled: 10, rendered: 9 },
        wait: { kind: 'vendor-import', target: 'staffbase', state: 'IMPORTING', since: iso(0) },
      }),
      NOW,
    );
    expect(text.split('\n')).toEqual([
      'acme (csv -> scim)  workflow wf-1  run run-1',
      'RUNNING: deliver (attempt 2 of 8): 40 done',
      '  steps done: resolve, build, plan',
      '  counts: pulled 10, rendered 9',
      '  staffbase import is IMPORTING',
    ]);
  });

  it('shows a held run as HELD with its reasons and how to answer', () => {
    const text = formatRunView(
      view({
        status: 'held',
        step: 'plan',
        wait: { kind: 'hold', reasons: ['reason one', 'reason two'], since: iso(0), expiresAt: iso(60) },
      }),
      NOW,
    );
    expect(text).toContain(
      `HELD: a safety rule tripped; nothing is delivered until an operator decides (expires ${iso(60)}):`,
    );
    expect(text).toContain('\n  - reason one\n  - reason two\n');
    expect(text).toContain('approve: ./bin/rosterflow approve wf-1 --reason "<why>"');
  });
});
