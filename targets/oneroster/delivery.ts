import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { PERMANENT_ERROR_TYPES } from '../../core/errors';
import type { RenderResult } from '../../activities/build-checkpoint';

const { uploadOneRoster } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  // The upload heartbeats while alive; a silent worker is given up quickly and the next attempt,
  // on any worker, resumes from the checkpoint kept in MongoDB.
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '5 seconds',
    maximumInterval: '5 minutes',
    maximumAttempts: 10,
    // The activities mark permanent failures themselves; this list backs them up.
    nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES],
  },
});

/** Uploads a OneRoster package over SFTP: temporary names, resumable, then renamed into place. */
export async function deliverOverSftp(
  runId: string,
  artifacts: RenderResult['artifacts'],
): Promise<{ target: string; location: string }> {
  const { location } = await uploadOneRoster({ runId, artifacts });
  return { target: 'oneroster-sftp', location };
}
