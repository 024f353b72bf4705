import type { TargetDefinition } from '../sdk/definition';
import { createCsvFileActivities } from './activities';
import { CsvFileTargetConfigSchema } from './config';
import type { CsvFileTargetConfig } from './config';
import { createCsvFileLayouts } from './layout';

/** A CSV file written into place on a local path or mounted share (temporary name, then rename). */
export const csvFileTarget: TargetDefinition<CsvFileTargetConfig> = {
  type: 'csv-file',
  title: 'CSV file on a local path or mounted share (atomic rename)',
  docsUrl: 'https://www.rfc-editor.org/rfc/rfc4180',
  configSchema: CsvFileTargetConfigSchema,
  layouts: createCsvFileLayouts,
  location: (config) => config.path,
  activities: createCsvFileActivities,
};
