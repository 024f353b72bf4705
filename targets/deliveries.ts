import { ApplicationFailure } from '@temporalio/workflow';
import { allstacksDelivery } from './allstacks/delivery';
import { csvFileDelivery } from './csv-file/delivery';
import { oneRosterDelivery } from './oneroster/delivery';
import type { TargetDelivery } from './sdk/delivery';
import { staffbaseDelivery } from './staffbase/delivery';

/**
 * Each target's delivery orchestration (its folder's `delivery.ts`), by target type: the workflow
 * looks a run's target up here. Workflow code, bundled with the workflows: it imports nothing that
 * does I/O (lint holds it to the workflow rules). test/unit/target-registry.test.ts checks that
 * every registered target has one.
 */
export const TARGET_DELIVERIES: Readonly<Record<string, TargetDelivery>> = {
  'csv-file': csvFileDelivery,
  allstacks: allstacksDelivery,
  staffbase: staffbaseDelivery,
  'oneroster-sftp': oneRosterDelivery,
};

export function deliveryFor(targetType: string): TargetDelivery {
  const delivery = Object.hasOwn(TARGET_DELIVERIES, targetType) ? TARGET_DELIVERIES[targetType] : undefined;
  if (!delivery)
    throw ApplicationFailure.nonRetryable(`No delivery is registered for target type "${targetType}"`, 'InvalidConfig');
  return delivery;
}
