import { ApplicationFailure } from '@temporalio/workflow';
import { allstacksDelivery } from './allstacks/delivery';
import { csvFileDelivery } from './csv-file/delivery';
import { oneRosterDelivery } from './oneroster-sftp/delivery';
import type { TargetDelivery } from './sdk/delivery';
import { stepDelivery } from './sdk/step-delivery';
import { staffbaseDelivery } from './staffbase/delivery';

/**
 * The targets that orchestrate their own delivery (their folder's `delivery.ts`), by target type.
 * Every other target is delivered by the shared step protocol through the activity its definition
 * names (resolved with the sync). Workflow code, bundled with the workflows: it imports nothing that
 * does I/O (lint holds it to the workflow rules).
 */
export const TARGET_DELIVERIES: Readonly<Record<string, TargetDelivery>> = {
  'csv-file': csvFileDelivery,
  allstacks: allstacksDelivery,
  staffbase: staffbaseDelivery,
  'oneroster-sftp': oneRosterDelivery,
};

/** The delivery for a run's target: its own orchestration, else the step driver over its step activity. */
export function deliveryFor(target: { targetType: string; deliveryStep?: string }): TargetDelivery {
  if (Object.hasOwn(TARGET_DELIVERIES, target.targetType)) return TARGET_DELIVERIES[target.targetType]!;
  if (target.deliveryStep) return stepDelivery(target.deliveryStep);
  throw ApplicationFailure.nonRetryable(
    `No delivery is registered for target type "${target.targetType}"`,
    'InvalidConfig',
  );
}
