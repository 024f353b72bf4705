import { ApplicationFailure, CancellationScope, patched, proxyActivities, sleep } from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/workflow';
import type { StaffbaseActivities } from './activities';
import { PERMANENT_ERROR_TYPES } from '../../core/errors';
import type { StaffbasePolling } from './activities';
import type { DeliveryContext, DeliveryOutcome, TargetDelivery } from '../sdk/delivery';
import type { WaitReporter } from '../../workflows/run-tracker';

const retry: RetryPolicy = {
  initialInterval: '5 seconds',
  maximumInterval: '2 minutes',
  maximumAttempts: 10,
  nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES],
};
// The upload carries the whole file and heartbeats while alive, so a killed worker's upload is
// retried elsewhere within half a minute (finding this run's import by its file name, not making
// a second one); every other step is one small request.
const upload = proxyActivities<StaffbaseActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry,
});
const staffbase = proxyActivities<StaffbaseActivities>({ startToCloseTimeout: '1 minute', retry });
// Cleanup after a run that will not import: a few quick tries (the activity records a refusal itself).
const cleanup = proxyActivities<StaffbaseActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '10 seconds', maximumAttempts: 3 },
});

type StaffbaseState = Awaited<ReturnType<StaffbaseActivities['pollStaffbaseImport']>>['state'];

/**
 * The Staffbase CSV Import protocol, step by step: upload (or find this run's earlier upload),
 * configure, preview, wait for PREVIEW_READY, check the preview against the safety rules (failing, or
 * holding for an operator's decision: see workflows/hold.ts), import, wait for COMPLETED or
 * CANCELLED, keep the error report (rows it names make the run `partial`). The import id lives in
 * this workflow's state, so a worker crash at any step carries on with the same import. A run that
 * fails, is rejected at a hold, expires or is cancelled before importing cancels its import, so
 * nothing is left waiting in DRAFT or PREVIEW_READY.
 */
export const staffbaseDelivery: TargetDelivery = async (delivery) => {
  const { runId } = delivery;
  let importId: string | undefined;
  try {
    const uploaded = await upload.ensureStaffbaseImport({ runId, artifacts: delivery.artifacts });
    importId = uploaded.importId;
    return await runImport({ runId, importId }, uploaded.polling, delivery);
  } catch (err) {
    // Without an id (the upload failed), the activity looks for one this run may have created anyway.
    // Patched: a run that failed here before this step existed replays without it.
    if (patched('cancel-stranded-staffbase-import')) {
      await cancelStrandedImport({ runId, ...(importId === undefined ? {} : { importId }) });
    }
    throw err;
  }
};

async function runImport(
  step: { runId: string; importId: string },
  polling: StaffbasePolling,
  delivery: DeliveryContext,
): Promise<DeliveryOutcome> {
  const { runId, importId } = step;
  await staffbase.configureStaffbaseImport(step);
  await staffbase.requestStaffbasePreview(step);
  await waitForState(step, ['PREVIEW_READY'], polling, delivery.waits);
  const check = await staffbase.checkStaffbasePreview(step);
  if (check.tripped.length > 0) {
    // The import waits in PREVIEW_READY; nothing is imported unless an operator approves.
    await delivery.holds.holdForDecision({
      runId,
      reasons: check.tripped,
      source: 'target-preview',
      expiresAfterMs: check.holdExpiresAfterMs,
      expiresAfter: check.holdExpiresAfter,
    });
  }
  await staffbase.requestStaffbaseImport(step);
  const final = await waitForState(step, ['COMPLETED', 'CANCELLED'], polling, delivery.waits);
  const { refused } = await staffbase.fetchStaffbaseErrors(step);
  if (final === 'CANCELLED') {
    throw ApplicationFailure.nonRetryable(
      `Staffbase cancelled import ${importId}; see the run's error report`,
      'ImportCancelled',
    );
  }
  return { target: 'staffbase', location: delivery.location, ...(refused ? { refused } : {}) };
}

/** Cancels the import (recorded in the run record); even a workflow cancellation lets it run, and it never hides the run's own failure. */
async function cancelStrandedImport(step: { runId: string; importId?: string }): Promise<void> {
  await CancellationScope.nonCancellable(() => cleanup.cancelStaffbaseImport(step)).catch(() => undefined);
}

/** States the import only reaches after an import was requested: seeing one while waiting for the preview is wrong. */
const AFTER_IMPORT_REQUEST: readonly StaffbaseState[] = ['IMPORT_PENDING', 'IMPORTING', 'COMPLETED'];

/** Polls on durable timers with backoff until the import reaches one of `wanted`, or gives up. */
async function waitForState(
  step: { runId: string; importId: string },
  wanted: readonly StaffbaseState[],
  polling: StaffbasePolling,
  waits: WaitReporter,
): Promise<StaffbaseState> {
  const deadline = Date.now() + polling.timeoutMs;
  let interval = polling.initialIntervalMs;
  for (;;) {
    const { state } = await staffbase.pollStaffbaseImport(step);
    if (wanted.includes(state)) {
      waits.waitOver();
      return state;
    }
    if (state === 'CANCELLED') {
      throw ApplicationFailure.nonRetryable(
        `Staffbase cancelled import ${step.importId} before ${wanted.join(' or ')}`,
        'ImportCancelled',
      );
    }
    if (wanted.includes('PREVIEW_READY') && AFTER_IMPORT_REQUEST.includes(state)) {
      throw ApplicationFailure.nonRetryable(
        `Staffbase import ${step.importId} went to ${state} without a preview check by rosterflow`,
        'ImportStateUnexpected',
      );
    }
    if (Date.now() + interval > deadline) {
      throw ApplicationFailure.nonRetryable(
        `Staffbase import ${step.importId} is still ${state} after ${Math.round(polling.timeoutMs / 60000)} minutes`,
        'ImportTimedOut',
      );
    }
    waits.waiting({
      kind: 'vendor-import',
      target: 'staffbase',
      state,
      since: new Date().toISOString(),
      nextCheckAt: new Date(Date.now() + interval).toISOString(),
    });
    await sleep(interval);
    interval = Math.min(interval * 2, polling.maxIntervalMs);
  }
}
