import type { ActivityDeps } from './deps';
import { createDeliverActivities } from './deliver';
import { createBuildActivities } from './build';
import { createExtractActivities } from './legacy/extract';
import { createLockActivities } from './locks';
import { createAllstacksActivities } from './targets/allstacks';
import { createOneRosterActivities } from './targets/oneroster';
import { createStaffbaseActivities } from './targets/staffbase';
import { createRenderActivities } from './legacy/render';
import { createResolveActivities } from './resolve';
import { createRunRecordActivities } from './run-record';
import { createSafetyActivities } from './safety';

export type { ActivityDeps } from './deps';

/** Every activity the worker registers, closed over their dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createRunRecordActivities(deps),
    ...createResolveActivities(deps),
    ...createBuildActivities(deps),
    // The two steps runs started before the one-pass build still call (docs/upgrading.md).
    ...createExtractActivities(deps),
    ...createRenderActivities(deps),
    ...createSafetyActivities(deps),
    ...createDeliverActivities(deps),
    ...createLockActivities(),
    ...createAllstacksActivities(deps),
    ...createStaffbaseActivities(deps),
    ...createOneRosterActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
