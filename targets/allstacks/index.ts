import type { TargetDefinition } from '../sdk/definition';
import { createAllstacksActivities } from './activities';
import { allstacksLocation, allstacksUploadLockKey } from './client';
import { AllstacksTargetConfigSchema } from './config';
import type { AllstacksTargetConfig } from './config';
import { createAllstacksLayouts } from './layout';

/** Allstacks' roster upload: one multipart POST, one per organisation per window (delivery.ts). */
export const allstacksTarget: TargetDefinition<AllstacksTargetConfig> = {
  type: 'allstacks',
  title: 'Allstacks roster/tag CSV upload (multipart POST, one per organisation per 5 minutes)',
  docsUrl: 'https://allstacks.atlassian.net/wiki/spaces/APG/pages/3156606977/Team+Management+CSV+Upload',
  configSchema: AllstacksTargetConfigSchema,
  layouts: createAllstacksLayouts,
  location: allstacksLocation,
  activities: createAllstacksActivities,
  uploadLock: (config) => ({ resource: allstacksUploadLockKey(config), windowMs: config.uploadWindowSeconds * 1000 }),
};
