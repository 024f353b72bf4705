import type { SourceDefinition } from '../sdk/source';
import { HibobConfigSchema } from './config';
import type { HibobConfig } from './config';
import { createHibobSource } from './source';

export const hibobSource: SourceDefinition<HibobConfig> = {
  type: 'hibob',
  title: 'HiBob (Bob) people search, via a service user',
  docsUrl: 'https://apidocs.hibob.com/reference/post_people-search',
  configSchema: HibobConfigSchema,
  create: createHibobSource,
};
