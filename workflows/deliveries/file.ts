import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { RenderResult } from '../../activities/render';

const { deliverFile } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  retry: {
    initialInterval: '5 seconds',
    maximumInterval: '5 minutes',
    maximumAttempts: 8,
    nonRetryableErrorTypes: ['InvalidInput', 'DeliveryFailed'],
  },
});

/** Writes the file into place: one idempotent activity (temporary name, then rename). */
export function deliverToFile(runId: string, artifacts: RenderResult['artifacts']) {
  return deliverFile({ runId, artifacts });
}
