import { patched, proxyActivities } from '@temporalio/workflow';
import type { OneRosterActivities } from './activities';
import { PERMANENT_ERROR_TYPES } from '../../core/errors';
import type { TargetDelivery } from '../sdk/delivery';

const { uploadOneRosterSftp, uploadOneRoster } = proxyActivities<OneRosterActivities>({
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
export const oneRosterDelivery: TargetDelivery = async ({ runId, artifacts }) => {
  // Runs that scheduled the upload before it carried its target's name replay with the old name
  // (docs/upgrading.md, "Activities named by their target").
  const upload = patched('target-named-activities') ? uploadOneRosterSftp : uploadOneRoster;
  const { location } = await upload({ runId, artifacts });
  return { target: 'oneroster-sftp', location };
};
