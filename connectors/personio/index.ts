import type { SourceDefinition } from '../sdk/source';
import { PersonioConfigSchema } from './config';
import type { PersonioConfig } from './config';
import { createPersonioSource } from './source';

export const personioSource: SourceDefinition<PersonioConfig> = {
  type: 'personio',
  title: 'Personio employees (API v1), via API credentials',
  docsUrl: 'https://developer.personio.de/reference/get_company-employees',
  configSchema: PersonioConfigSchema,
  create: createPersonioSource,
};
