import type { ActivityDeps } from './deps';
import { createNotifyActivities } from '../notify/activities';
import { createWatchdogActivities } from '../notify/watchdog-activities';
import { createTargetActivities } from '../targets';
import { createBuildActivities } from './build';
import { createExtractActivities } from './legacy/extract';
import { createLockActivities } from './locks';
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
    ...createLockActivities(),
    // Each target's delivery activities, from its own folder.
    ...createTargetActivities(deps),
    // Alerts: which channels, one delivery, its outcome (workflows/send-alerts.ts).
    ...createNotifyActivities(deps),
    // The stale-sync watchdog's look at schedules and runs (workflows/watchdog.ts).
    ...createWatchdogActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
