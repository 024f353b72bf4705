import { Context } from '@temporalio/activity';
import { acquireUploadLockSignal, uploadLockWorkflowId } from '../workflows/upload-lock';
import type { LockRequest, UploadLockInput, uploadLock } from '../workflows/upload-lock';

export interface RequestUploadLockInput extends LockRequest {
  resource: string;
  leaseMs: number;
}

export function createLockActivities() {
  return {
    /**
     * Queues this run for a resource's upload lock, starting the lock workflow if it is not
     * running (signal-with-start: workflow code cannot start a workflow it does not parent).
     * Idempotent: a retried request is recognised by its id.
     */
    async requestUploadLock(input: RequestUploadLockInput): Promise<string> {
      const { client, info } = Context.current();
      const workflowId = uploadLockWorkflowId(input.resource);
      const lockInput: UploadLockInput = { resource: input.resource, leaseMs: input.leaseMs };
      await client.workflow.signalWithStart<typeof uploadLock, [LockRequest]>('uploadLock', {
        workflowId,
        taskQueue: info.taskQueue,
        args: [lockInput],
        signal: acquireUploadLockSignal,
        signalArgs: [
          { requestId: input.requestId, requesterWorkflowId: input.requesterWorkflowId, windowMs: input.windowMs },
        ],
      });
      return workflowId;
    },
  };
}
