import type { ActivityDeps } from '../activities/deps';
import { createAllstacksActivities } from './allstacks/activities';
import { createCsvFileActivities } from './csv-file/activities';
import { createOneRosterActivities } from './oneroster/activities';
import { createStaffbaseActivities } from './staffbase/activities';

/**
 * Every target's delivery activities (its folder's `activities.ts`), closed over their
 * dependencies, for the worker to register beside the pipeline's own (activities/index.ts).
 */
export function createTargetActivities(deps: ActivityDeps) {
  return {
    ...createCsvFileActivities(deps),
    ...createAllstacksActivities(deps),
    ...createStaffbaseActivities(deps),
    ...createOneRosterActivities(deps),
  };
}
