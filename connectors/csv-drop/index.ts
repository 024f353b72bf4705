import type { SourceDefinition } from '../sdk/source';
import { CsvDropConfigSchema } from './config';
import type { CsvDropConfig } from './config';
import { createCsvDropSource } from './source';

export const csvDropSource: SourceDefinition<CsvDropConfig> = {
  type: 'csv',
  title: 'CSV file drop (an HR export on a local path or an SFTP server)',
  docsUrl: 'https://www.rfc-editor.org/rfc/rfc4180',
  configSchema: CsvDropConfigSchema,
  create: (config, deps) => createCsvDropSource(config, deps),
};
