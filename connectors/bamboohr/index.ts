import type { SourceDefinition } from '../sdk/source';
import { BamboohrConfigSchema } from './config';
import type { BamboohrConfig } from './config';
import { createBamboohrSource } from './source';

export const bamboohrSource: SourceDefinition<BamboohrConfig> = {
  type: 'bamboohr',
  title: 'BambooHR employee list with a custom report or the directory, via an API key',
  docsUrl: 'https://documentation.bamboohr.com/reference/list-employees',
  configSchema: BamboohrConfigSchema,
  create: createBamboohrSource,
};
