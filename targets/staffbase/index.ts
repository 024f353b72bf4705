import type { TargetDefinition } from '../sdk/definition';
import { createStaffbaseActivities } from './activities';
import { StaffbaseTargetConfigSchema } from './config';
import type { StaffbaseTargetConfig } from './config';
import { createStaffbaseLayouts } from './layout';

/** Staffbase's CSV Import API, step by step with its preview checked (delivery.ts). */
export const staffbaseTarget: TargetDefinition<StaffbaseTargetConfig> = {
  type: 'staffbase',
  title: 'Staffbase (new) CSV Import API: upload, configure, preview, import, poll',
  docsUrl: 'https://developers.staffbase.com/guides/get-started-with-csv-import',
  configSchema: StaffbaseTargetConfigSchema,
  layouts: createStaffbaseLayouts,
  location: (config) => `${config.baseUrl.replace(/\/+$/, '')}/users/imports`,
  activities: createStaffbaseActivities,
  // Full mode refuses to import without preview counts; in delta mode Staffbase may report none,
  // so the sync-level rule stays on there.
  previewChecksDeactivations: (config) => config.mode === 'full',
};
