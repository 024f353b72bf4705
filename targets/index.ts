import { z } from 'zod';
import { allstacksUploadLockKey } from './allstacks/client';
import { AllstacksTargetConfigSchema } from './allstacks/config';
import type { AllstacksTargetConfig } from './allstacks/config';
import { createAllstacksLayouts } from './allstacks/layout';
import { CsvFileTargetConfigSchema } from './csv-file/config';
import type { CsvFileTargetConfig } from './csv-file/config';
import { createCsvFileLayouts } from './csv-file/layout';
import { oneRosterTarget } from './oneroster';
import { OneRosterTargetConfigSchema } from './oneroster/config';
import { StaffbaseTargetConfigSchema } from './staffbase/config';
import type { StaffbaseTargetConfig } from './staffbase/config';
import { createStaffbaseLayouts } from './staffbase/layout';
import type { TargetDefinition } from './sdk/definition';

const csvFileTarget: TargetDefinition<CsvFileTargetConfig> = {
  type: 'csv-file',
  title: 'CSV file on a local path or mounted share (atomic rename)',
  docsUrl: 'https://www.rfc-editor.org/rfc/rfc4180',
  configSchema: CsvFileTargetConfigSchema,
  layouts: createCsvFileLayouts,
  location: (config) => config.path,
};

const allstacksTarget: TargetDefinition<AllstacksTargetConfig> = {
  type: 'allstacks',
  title: 'Allstacks roster/tag CSV upload (multipart POST, one per organisation per 5 minutes)',
  docsUrl: 'https://allstacks.atlassian.net/wiki/spaces/APG/pages/3156606977/Team+Management+CSV+Upload',
  configSchema: AllstacksTargetConfigSchema,
  layouts: createAllstacksLayouts,
  location: (config) => `${config.baseUrl}/api/v1/organization/${config.organizationId}`,
  uploadLock: (config) => ({ resource: allstacksUploadLockKey(config), windowMs: config.uploadWindowSeconds * 1000 }),
};

const staffbaseTarget: TargetDefinition<StaffbaseTargetConfig> = {
  type: 'staffbase',
  title: 'Staffbase (new) CSV Import API: upload, configure, preview, import, poll',
  docsUrl: 'https://developers.staffbase.com/guides/get-started-with-csv-import',
  configSchema: StaffbaseTargetConfigSchema,
  layouts: createStaffbaseLayouts,
  location: (config) => `${config.baseUrl.replace(/\/+$/, '')}/users/imports`,
  // Full mode refuses to import without preview counts; in delta mode Staffbase may report none,
  // so the sync-level rule stays on there.
  previewChecksDeactivations: (config) => config.mode === 'full',
};

export const TARGET_DEFINITIONS: readonly TargetDefinition[] = [
  csvFileTarget,
  allstacksTarget,
  staffbaseTarget,
  oneRosterTarget,
] as readonly TargetDefinition[];

export const TargetConfigSchema = z.discriminatedUnion('type', [
  CsvFileTargetConfigSchema,
  AllstacksTargetConfigSchema,
  StaffbaseTargetConfigSchema,
  OneRosterTargetConfigSchema,
]);
export type TargetConfig = z.infer<typeof TargetConfigSchema>;

export type { TargetDefinition, UploadLockSpec } from './sdk/definition';

export function targetDefinition(type: string): TargetDefinition {
  const definition = TARGET_DEFINITIONS.find((candidate) => candidate.type === type);
  if (!definition) throw new Error(`No target is registered for type "${type}"`);
  return definition;
}
