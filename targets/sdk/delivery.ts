import type { RenderResult } from '../../activities/build-checkpoint';
import type { VendorRefusalSummary } from '../../store/run-record';
import type { HoldController } from '../../workflows/hold';
import type { WaitReporter } from '../../workflows/run-tracker';
import type { UploadLockSpec } from './definition';

/**
 * The workflow-side half of a target (its `delivery.ts`): how the workflow delivers a run's files
 * to it, as workflow code (deterministic: activities and durable timers only), looked up by target
 * type in targets/deliveries.ts.
 */
export type TargetDelivery = (context: DeliveryContext) => Promise<DeliveryOutcome>;

/** What every delivery is given: ids and settings, never employee data. */
export interface DeliveryContext {
  runId: string;
  /** The build's files, named by id and checksum. */
  artifacts: RenderResult['artifacts'];
  /** Where deliveries land (the target definition's `location`): a path or URL, never credentials. */
  location: string;
  /** The lock the target definition's `uploadLock` asks every upload to its account to wait for. */
  uploadLock?: UploadLockSpec;
  /** Holds the run for an operator's decision (a vendor preview that trips the safety rules). */
  holds: HoldController;
  /** Says what the delivery waits on (a rate limit, the upload lock, the vendor's import), for the `progress` query and the Web UI. */
  waits: WaitReporter;
}

/**
 * What a delivery returns to the workflow: where the files went and, when the target's vendor
 * refused rows of them, the summary of those (counts and codes only). Any target may report
 * refusals; a delivery that does makes the run `partial`.
 */
export interface DeliveryOutcome {
  target: string;
  location: string;
  refused?: VendorRefusalSummary;
}
