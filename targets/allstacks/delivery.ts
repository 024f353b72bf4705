import {
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { AllstacksActivities } from './activities';
import { PERMANENT_ERROR_TYPES } from '../../core/errors';
import { releaseUploadLockSignal, uploadLockGrantedSignal } from '../../workflows/upload-lock';
import type { TargetDelivery } from '../sdk/delivery';

const { requestUploadLock, recordRunEvent } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const { uploadToAllstacks } = proxyActivities<AllstacksActivities>({
  startToCloseTimeout: '10 minutes',
  // Heartbeats while alive: a killed worker's upload is retried elsewhere within half a minute,
  // and the retry reads the MongoDB checkpoint to learn whether the file already went.
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '10 seconds',
    maximumInterval: '5 minutes',
    maximumAttempts: 5,
    // The activities mark permanent failures themselves; this list backs them up.
    nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES],
  },
});

/** How many 429s in a row are waited out before the run gives up. */
const MAX_RATE_LIMITED_ATTEMPTS = 6;
/** Longer than any sane wait for the lock: other syncs' uploads and their windows. */
const LOCK_WAIT = '6 hours';
/** How long a grant may take before the wait for it is recorded as one. */
const LOCK_GRACE = '1 second';
/** A holder that neither releases nor finishes within this long is presumed dead. */
const LOCK_LEASE_MS = 2 * 60 * 60 * 1000;

/**
 * Waits for the organisation's upload lock (one upload per organisation at a time, across all
 * syncs and workers), uploads, and answers HTTP 429 with a durable timer (the Retry-After value,
 * else the 5-minute window) before trying again. Each wait is recorded in the run record.
 */
export const allstacksDelivery: TargetDelivery = async (delivery) => {
  const { uploadLock: lock } = delivery;
  if (!lock)
    throw ApplicationFailure.nonRetryable('The Allstacks target resolved without an upload lock', 'InvalidConfig');
  const requestId = uuid4();
  let granted = false;
  setHandler(uploadLockGrantedSignal, ({ requestId: grantedId }) => {
    if (grantedId === requestId) granted = true;
  });
  const lockWorkflowId = await requestUploadLock({
    resource: lock.resource,
    windowMs: lock.windowMs,
    leaseMs: LOCK_LEASE_MS,
    requestId,
    requesterWorkflowId: workflowInfo().workflowId,
  });
  // A real wait (another sync's upload, the vendor's window) is said in the run record, so
  // `rosterflow run` can tell why nothing happens.
  if (patched('record-upload-lock-wait') && !(await condition(() => granted, LOCK_GRACE))) {
    await recordRunEvent({
      runId: delivery.runId,
      step: 'deliver',
      kind: 'lock-wait',
      detail: `waiting for the upload lock of ${lock.resource} (one upload at a time, at least ${Math.ceil(lock.windowMs / 1000)}s apart)`,
    });
  }
  if (!granted) delivery.waits.waiting({ kind: 'upload-lock', lockWorkflowId, since: new Date().toISOString() });
  if (!(await condition(() => granted, LOCK_WAIT))) {
    throw ApplicationFailure.retryable(
      `No turn at the upload lock of ${lock.resource} within ${LOCK_WAIT}`,
      'LockTimeout',
    );
  }
  delivery.waits.waitOver();

  try {
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await uploadToAllstacks({ runId: delivery.runId, artifacts: delivery.artifacts });
      if (outcome.kind === 'uploaded') return { target: 'allstacks', location: delivery.location };
      const waitMs = outcome.retryAfterMs ?? lock.windowMs;
      if (attempt >= MAX_RATE_LIMITED_ATTEMPTS) {
        throw ApplicationFailure.nonRetryable(
          `Allstacks answered HTTP 429 to ${attempt} uploads in a row; giving up`,
          'RateLimited',
        );
      }
      await recordRunEvent({
        runId: delivery.runId,
        step: 'deliver',
        kind: 'rate-limited',
        detail: `Allstacks answered HTTP 429 (attempt ${attempt}); waiting ${Math.ceil(waitMs / 1000)}s on a durable timer`,
        until: new Date(Date.now() + waitMs).toISOString(),
      });
      delivery.waits.waiting({
        kind: 'rate-limit',
        reason: 'Allstacks answered HTTP 429',
        since: new Date().toISOString(),
        until: new Date(Date.now() + waitMs).toISOString(),
      });
      await sleep(waitMs);
      delivery.waits.waitOver();
    }
  } finally {
    await CancellationScope.nonCancellable(() =>
      getExternalWorkflowHandle(lockWorkflowId).signal(releaseUploadLockSignal, { requestId }),
    );
  }
};
