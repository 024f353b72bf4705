import type { TargetDefinition } from '../sdk/definition';
import { createOneRosterActivities } from './activities';
import { OneRosterTargetConfigSchema } from './config';
import type { OneRosterTargetConfig } from './config';
import { oneRosterLocation } from './deliver';
import { createOneRosterLayouts } from './layouts';

export { OneRosterTargetConfigSchema } from './config';
export type { OneRosterTargetConfig } from './config';
export { createOneRosterLayouts } from './layouts';
export { validateOneRosterPackage } from './validate';
export type { PackageProblem } from './validate';
export { assertValidOneRosterPackage, checkOneRosterPackage, uploadOneRosterPackage } from './deliver';
export { uploadFiles, tempFileName } from './upload';
export type { UploadCheckpoint, UploadFile, UploadRequest, UploadResult } from './upload';

/** The registration for targets/index.ts: an SFTP upload with resume, then atomic renames. */
export const oneRosterTarget: TargetDefinition<OneRosterTargetConfig> = {
  type: 'oneroster-sftp',
  title: 'OneRoster 1.2 CSV package (Alludo or full profile) uploaded over SFTP',
  docsUrl: 'https://developers.imsglobal.org/spec/oneroster/v1p2/bind/csv/',
  configSchema: OneRosterTargetConfigSchema,
  layouts: createOneRosterLayouts,
  location: oneRosterLocation,
  activities: createOneRosterActivities,
};
