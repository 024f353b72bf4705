import type { VendorRefusalSummary } from '../../store/run-record';

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
