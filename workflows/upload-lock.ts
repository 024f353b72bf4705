import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';

/** A sync asking for its turn to upload. */
export interface LockRequest {
  requestId: string;
  requesterWorkflowId: string;
  /** The least time between the previous holder's release and this grant (the vendor's window). */
  windowMs: number;
}

export interface UploadLockInput {
  /** What the lock serialises, e.g. `allstacks:app.allstacks.com:42`. */
  resource: string;
  /** A holder that does not release within this long is presumed dead and loses the lock. */
  leaseMs: number;
  /** Carried over by continue-as-new. */
  pending?: LockRequest[];
  lastReleaseAt?: number;
}

export const acquireUploadLockSignal = defineSignal<[LockRequest]>('acquire-upload-lock');
export const releaseUploadLockSignal = defineSignal<[{ requestId: string }]>('release-upload-lock');
export const uploadLockGrantedSignal = defineSignal<[{ requestId: string }]>('upload-lock-granted');
/**
 * Who holds the lock now (a run's workflow id), or held it last (its window may not be over), and how
 * many wait: for `rosterflow status` to say behind which run a run waits.
 */
export const uploadLockHolderQuery = defineQuery<{
  holderWorkflowId?: string;
  lastHolderWorkflowId?: string;
  queued: number;
}>('holder');

/** Workflow id of the lock for a resource: one lock workflow per resource, across all syncs and workers. */
export function uploadLockWorkflowId(resource: string): string {
  return `rosterflow-upload-lock-${resource.replace(/[^A-Za-z0-9._-]+/g, '-')}`;
}

const IDLE_BEFORE_EXIT = '1 hour';

/**
 * A mutex with a cool-down (after Temporal's mutex sample): grants one requester at a time, in
 * arrival order, and never sooner than the request's `windowMs` after the previous holder released, so a target
 * that allows one upload per window is never hit twice by our own syncs. Exits after an idle hour;
 * the next request starts it again (signal-with-start).
 */
export async function uploadLock(input: UploadLockInput): Promise<void> {
  const queue: LockRequest[] = [...(input.pending ?? [])];
  let lastReleaseAt = input.lastReleaseAt;
  let holder: string | undefined;
  let holderWorkflowId: string | undefined;
  setHandler(uploadLockHolderQuery, () => ({
    ...(holder === undefined || holderWorkflowId === undefined ? {} : { holderWorkflowId }),
    ...(holderWorkflowId === undefined ? {} : { lastHolderWorkflowId: holderWorkflowId }),
    queued: queue.length,
  }));

  setHandler(acquireUploadLockSignal, (request) => {
    if (request.requestId !== holder && !queue.some((queued) => queued.requestId === request.requestId))
      queue.push(request);
  });
  setHandler(releaseUploadLockSignal, ({ requestId }) => {
    if (requestId === holder) holder = undefined;
  });

  while (!workflowInfo().continueAsNewSuggested) {
    if (!(await condition(() => queue.length > 0, IDLE_BEFORE_EXIT))) return;
    const next = queue[0];
    if (!next) continue;
    if (lastReleaseAt !== undefined) {
      const coolDown = lastReleaseAt + next.windowMs - Date.now();
      if (coolDown > 0) await sleep(coolDown);
    }
    queue.shift();
    try {
      await getExternalWorkflowHandle(next.requesterWorkflowId).signal(uploadLockGrantedSignal, {
        requestId: next.requestId,
      });
    } catch {
      // The requester ended (cancelled, timed out) before its turn came: nobody to grant.
      continue;
    }
    holder = next.requestId;
    holderWorkflowId = next.requesterWorkflowId;
    await condition(() => holder === undefined, input.leaseMs);
    holder = undefined;
    lastReleaseAt = Date.now();
  }
  await continueAsNew<typeof uploadLock>({
    ...input,
    pending: queue,
    ...(lastReleaseAt === undefined ? {} : { lastReleaseAt }),
  });
}
