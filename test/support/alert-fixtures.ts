import type { AlertKind, AlertRequest } from '../../notify/alert';
import type { RunRecord } from '../../store/run-record';

/** A run of acme-people as the run store keeps it for each kind of alert: counts and ids only. */
export function runRecordFor(kind: AlertKind, runId = 'run-1'): RunRecord {
  const base: RunRecord = {
    _id: runId,
    runId,
    workflowId: 'acme-people-nightly-42',
    syncId: 'acme-people',
    trigger: 'schedule',
    dryRun: false,
    status: 'succeeded',
    startedAt: new Date('2026-03-02T01:00:00.000Z'),
    finishedAt: new Date('2026-03-02T01:04:00.000Z'),
    steps: {
      resolve: { status: 'succeeded', attempt: 1, startedAt: new Date('2026-03-02T01:00:01.000Z') },
      build: { status: 'succeeded', attempt: 1, startedAt: new Date('2026-03-02T01:00:02.000Z') },
    },
    counts: { pulled: 1200, rejected: 0, rendered: 1180, filteredOut: 20, renderRejected: 0 },
    rejections: [],
    plan: { pulled: 1200, active: 1180, previousPulled: 1210, previousActive: 1190, deactivations: 12, tripped: [] },
    changes: {
      baselineRunId: 'run-0',
      baselineDelivered: 1190,
      added: 2,
      changed: 7,
      deactivated: 12,
      unchanged: 1169,
      deactivatedBy: { left: 10, inactive: 2 },
      changedPercent: 1.8,
      attempt: 1,
    },
  };
  switch (kind) {
    case 'failed':
      return {
        ...base,
        status: 'failed',
        steps: { ...base.steps, build: { ...base.steps.build!, status: 'failed', error: 'SourceUnavailable' } },
        error: {
          type: 'SourceUnavailable',
          message: 'BambooHR answered HTTP 503 to GET /v1/reports/custom (5 attempts)',
        },
      };
    case 'held': {
      const { finishedAt: _finishedAt, ...open } = base;
      return {
        ...open,
        status: 'held',
        plan: {
          ...base.plan!,
          deactivations: 150,
          tripped: [
            '150 of the 1190 people employed at the last delivery would be deactivated (12.6%), more than safety.maxDeactivationPercent (10%)',
          ],
        },
        changes: { ...base.changes!, deactivated: 150, changedPercent: 13.4 },
        hold: {
          reasons: [
            '150 of the 1190 people employed at the last delivery would be deactivated (12.6%), more than safety.maxDeactivationPercent (10%)',
          ],
          since: new Date('2026-03-02T01:03:00.000Z'),
          expiresAt: new Date('2026-03-05T01:03:00.000Z'),
          source: 'plan',
        },
      };
    }
    case 'partial':
      return {
        ...base,
        status: 'partial',
        counts: { ...base.counts, vendorRefused: 3 },
        delivery: {
          target: 'staffbase',
          location: 'staffbase',
          refused: {
            vendor: 'Staffbase',
            count: 3,
            codes: [
              { code: 'DUPLICATE_EMAIL', rows: 2 },
              { code: 'INVALID_FIELD', rows: 1 },
            ],
            rows: [{ line: 4, externalId: '1004', code: 'DUPLICATE_EMAIL' }],
          },
        },
      };
    case 'unusual-change':
      return {
        ...base,
        changes: { ...base.changes!, added: 140, changed: 310, deactivated: 12, unchanged: 728, changedPercent: 38.8 },
      };
    case 'stale':
      return base;
  }
}

export function alertFor(kind: AlertKind, run: RunRecord = runRecordFor(kind)): AlertRequest {
  if (kind === 'stale') {
    return {
      kind,
      syncId: 'acme-people',
      stale: {
        lastSuccessAt: '2026-02-27T01:04:00.000Z',
        lastSuccessRunId: 'run-0',
        dueBy: '2026-03-02T03:00:00.000Z',
        cron: '0 2 * * *',
        timezone: 'Europe/Berlin',
      },
    };
  }
  return { kind, syncId: run.syncId, run: { runId: run.runId, workflowId: run.workflowId } };
}
