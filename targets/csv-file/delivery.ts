import { patched, proxyActivities } from '@temporalio/workflow';
import type { CsvFileActivities } from './activities';
import { PERMANENT_ERROR_TYPES } from '../../core/errors';
import type { TargetDelivery } from '../sdk/delivery';

const { deliverCsvFile, deliverFile } = proxyActivities<CsvFileActivities>({
  startToCloseTimeout: '30 minutes',
  // The copy heartbeats while bytes move: a killed worker's copy is retried elsewhere within half a minute.
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '5 seconds',
    maximumInterval: '5 minutes',
    maximumAttempts: 8,
    // The activities mark permanent failures themselves; this list backs them up.
    nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES],
  },
});

/** Writes the file into place: one idempotent activity (temporary name, then rename). */
export const csvFileDelivery: TargetDelivery = ({ runId, artifacts }) =>
  // Runs that scheduled the activity before it carried its target's name replay with the old
  // name (docs/upgrading.md, "Activities named by their target").
  patched('target-named-activities') ? deliverCsvFile({ runId, artifacts }) : deliverFile({ runId, artifacts });
