import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { ApplicationFailure, CancellationScope, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { PERMANENT_ERROR_TYPES } from '../core/errors';
import { runFailure, summarizeFailure } from '../core/failure-summary';
import type { RunTrigger } from '../store/run-record';
import type { BuildResult, RenderResult } from '../activities/build-checkpoint';
import type { ResolvedSync } from '../activities/resolve';
import { deliveryFor } from '../targets/deliveries';
import type { DeliveryOutcome } from '../targets/sdk/delivery';
import { installHoldHandlers } from './hold';
import { RunAlerts } from './run-alerts';
import { RunTracker } from './run-tracker';
import type { WaitReporter } from './run-tracker';
import type { HoldController } from './hold';
import { parseSyncRosterInput } from './sync-roster-input';
import type { SyncRosterInput } from './sync-roster-input';

export type { SyncRosterInput } from './sync-roster-input';

/** What a finished run returns: ids, counts and checksums, never employee data. */
export interface SyncRosterResult {
  /** `partial`: delivered, but the target's vendor refused some rows (`delivered.refused`). */
  status: 'succeeded' | 'partial';
  syncId: string;
  runId: string;
  dryRun: boolean;
  pulled: number;
  /** Source rows that could not become employees. */
  rejected: number;
  rendered: number;
  /** Employees the target's row checks refused. */
  renderRejected: number;
  artifacts: { fileName: string; checksum: string; rows: number }[];
  delivered: DeliveryOutcome | null;
  /**
   * The safety rules this run tripped (core/safety-rules.ts). A delivered run lists those an operator
   * approved; a dry run lists them without holding.
   */
  tripped: string[];
}

const { startRun, finishRun } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // The run record must be written even if the store is down for a while.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

const { resolveSync } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES],
  },
});

const { buildArtifacts, extractEmployees, renderArtifacts } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  // They heartbeat every few seconds while alive (activities/keep-alive.ts), so a killed worker's
  // step is retried on another within half a minute, from its MongoDB checkpoint.
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '5 seconds',
    maximumInterval: '5 minutes',
    backoffCoefficient: 2,
    maximumAttempts: 8,
    nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES],
  },
});

const { planRun, planDelivery } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: {
    initialInterval: '5 seconds',
    maximumInterval: '5 minutes',
    backoffCoefficient: 2,
    maximumAttempts: 8,
    nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES],
  },
});

// Snapshot bookkeeping after delivery must not fail a run that already delivered: retry like the run record.
const { commitSnapshot, discardSnapshot } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

const scheduledByKey = defineSearchAttributeKey('TemporalScheduledById', SearchAttributeType.KEYWORD);

/** One sync run: resolve, extract, render, deliver, recording each step in the run store. */
export async function syncRoster(rawInput?: SyncRosterInput): Promise<SyncRosterResult> {
  const input = parseSyncRosterInput(rawInput);
  if (typeof input === 'string') throw ApplicationFailure.nonRetryable(input, 'InvalidInput');

  const { workflowId, runId, startTime, typedSearchAttributes } = workflowInfo();
  const scheduled = typedSearchAttributes.get(scheduledByKey) !== undefined;
  const trigger: RunTrigger = input.trigger ?? (scheduled ? 'schedule' : 'manual');
  const { syncId, dryRun } = input;
  // Installed first, so the progress and hold queries and decideHold answer (or refuse) from the run's start.
  const tracker = new RunTracker({ syncId, trigger, dryRun }, patched('run-search-attributes'));
  const alerts = new RunAlerts(syncId, patched('run-alerts'), dryRun);
  const holds = installHoldHandlers(alerts.holdReporter(tracker));
  let planned = false;

  await startRun({ runId, workflowId, syncId, trigger, dryRun, startedAt: startTime.toISOString() });
  try {
    tracker.stepStarted('resolve');
    const sync = await resolveSync({ runId, syncId });
    tracker.resolved(sync.sourceType, sync.targetType);
    alerts.resolved(sync.alerts);
    tracker.stepDone('resolve');
    // Runs started before the one-pass build (no marker in their history) finish the way they began.
    const onePass = patched('one-pass-build');
    tracker.stepStarted('build');
    const built = onePass ? await buildArtifacts({ runId }) : await extractThenRender(runId);
    const extracted = built.extract;
    tracker.stepDone('build', {
      pulled: extracted.pulled,
      rejected: extracted.rejected,
      rendered: built.render.rendered,
      renderRejected: built.render.rejected,
    });
    // An empty pull looks exactly like "everyone left": deliver nothing rather than deactivate everyone.
    if (extracted.pulled === 0) {
      throw ApplicationFailure.nonRetryable(
        `The source returned no valid employees (${extracted.rejected} rejected rows); nothing was delivered`,
        'SourceEmpty',
      );
    }
    const rendered = built.render;
    // Files with nobody in them would read as "everyone left" too (Allstacks disable_users, a full import).
    if (rendered.rendered === 0) {
      throw ApplicationFailure.nonRetryable(
        `None of the ${extracted.pulled} pulled employees made it into the target's files (${rendered.filteredOut} left out by its status filter, ${rendered.rejected} rejected by its checks); nothing was delivered${rendered.rejected > 0 ? ` (see \`rosterflow history --run ${runId}\`)` : ''}`,
        'NothingToDeliver',
      );
    }
    const rejected = extracted.rejected + rendered.rejected;
    if (rejected > 0 && sync.onRejectedRows === 'fail') {
      throw ApplicationFailure.nonRetryable(
        `${rejected} rows were rejected (${extracted.rejected} by the source, ${rendered.rejected} by the target's checks) and the sync's onRejectedRows is "fail"; nothing was delivered (see \`rosterflow history --run ${runId}\`)`,
        'RowsRejected',
      );
    }
    // Plan: the safety rules, against the sync's last delivery. A tripped rule holds a real run for an
    // operator's decision (workflows/hold.ts); a dry run only reports it.
    planned = true;
    tracker.stepStarted('plan');
    const plan = onePass ? await planRun({ runId }) : await planDelivery({ runId });
    tracker.stepDone('plan', { deactivations: plan.deactivations });
    if (alerts.unusual(plan.changes?.changedPercent)) await alerts.announce('unusual-change');
    if (plan.tripped.length > 0 && !dryRun) {
      await holds.holdForDecision({
        runId,
        reasons: plan.tripped,
        source: 'plan',
        expiresAfterMs: plan.holdExpiresAfterMs,
        expiresAfter: plan.holdExpiresAfter,
      });
    }
    if (!dryRun) tracker.stepStarted('deliver');
    const delivered = dryRun ? null : await deliver(runId, sync, rendered, holds, tracker);
    if (!dryRun) tracker.stepDone('deliver');
    tracker.stepStarted('finish');
    // Only a delivered run (partial too) becomes the baseline the next run's plan compares against.
    await CancellationScope.nonCancellable(() => (dryRun ? discardSnapshot({ runId }) : commitSnapshot({ runId })));
    const status = delivered?.refused ? 'partial' : 'succeeded';
    await CancellationScope.nonCancellable(() => finishRun({ runId, status }));
    tracker.finished(status);
    if (status === 'partial') await alerts.announce('partial');
    return {
      status,
      syncId,
      runId,
      dryRun,
      pulled: extracted.pulled,
      rejected: extracted.rejected,
      rendered: rendered.rendered,
      renderRejected: rendered.rejected,
      artifacts: rendered.artifacts.map(({ fileName, checksum, rows }) => ({ fileName, checksum, rows })),
      delivered,
      tripped: plan.tripped,
    };
  } catch (err) {
    if (planned) await CancellationScope.nonCancellable(() => discardSnapshot({ runId }));
    const failure = summarizeFailure(err);
    await CancellationScope.nonCancellable(() => finishRun({ runId, status: 'failed', error: failure }));
    tracker.finished('failed', failure.type);
    await CancellationScope.nonCancellable(() => alerts.announce('failed'));
    // The Web UI shows this first: the step's own type and message, never this machine's paths.
    throw runFailure(err);
  }
}

/** The build of runs started before the one-pass build: stage every employee, then render them. */
async function extractThenRender(runId: string): Promise<BuildResult> {
  const extract = await extractEmployees({ runId });
  // The old order: an empty pull fails before the render (the caller's check comes too late for it).
  if (extract.pulled === 0) return { extract, render: { artifacts: [], rendered: 0, rejected: 0, filteredOut: 0 } };
  return { extract, render: await renderArtifacts({ runId }) };
}

/** Runs the target's delivery: its own orchestration (targets/deliveries.ts) or the shared step driver. */
function deliver(
  runId: string,
  sync: ResolvedSync,
  rendered: RenderResult,
  holds: HoldController,
  waits: WaitReporter,
): Promise<DeliveryOutcome> {
  return deliveryFor(sync)({
    runId,
    artifacts: rendered.artifacts,
    location: sync.location,
    holds,
    waits,
    ...(sync.uploadLock ? { uploadLock: sync.uploadLock } : {}),
  });
}
