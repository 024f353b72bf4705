import { z } from 'zod';
import { bamboohrSource } from './bamboohr';
import { BamboohrConfigSchema } from './bamboohr/config';
import { csvDropSource } from './csv-drop';
import { CsvDropConfigSchema } from './csv-drop/config';
import { hibobSource } from './hibob';
import { HibobConfigSchema } from './hibob/config';
import { msgraphSource } from './msgraph';
import { MsgraphConfigSchema } from './msgraph/config';
import { personioSource } from './personio';
import { PersonioConfigSchema } from './personio/config';
import { workdayRaasSource } from './workday-raas';
import { WorkdayRaasConfigSchema } from './workday-raas/config';
import { createHttpClient } from '../io/http';
import { createSecretResolver } from '../io/secrets';
import type { SourceConnector, SourceDefinition, SourceDeps } from './sdk/source';

/**
 * Every registered source. Adding one: its definition here and its config schema in the union
 * below (a unit test checks the two lists agree). `rosterflow connectors new <name>` prints the lines.
 */
export const SOURCE_DEFINITIONS: readonly SourceDefinition[] = [
  bamboohrSource,
  csvDropSource,
  hibobSource,
  msgraphSource,
  personioSource,
  workdayRaasSource,
] as readonly SourceDefinition[];

export const SourceConfigSchema = z.discriminatedUnion('type', [
  BamboohrConfigSchema,
  CsvDropConfigSchema,
  HibobConfigSchema,
  MsgraphConfigSchema,
  PersonioConfigSchema,
  WorkdayRaasConfigSchema,
]);
export type SourceConfig = z.infer<typeof SourceConfigSchema>;

export function findSourceDefinition(type: string): SourceDefinition | undefined {
  return SOURCE_DEFINITIONS.find((definition) => definition.type === type);
}

/** Builds the source connector a sync's `source.type` names. */
export function createSource(config: SourceConfig, deps: SourceDeps = defaultSourceDeps()): SourceConnector {
  const definition = findSourceDefinition(config.type);
  if (!definition) throw new Error(`No source connector is registered for type "${config.type}"`);
  return definition.create(config, deps);
}

/** Secrets from the environment and files, HTTP through the shared layer. */
export function defaultSourceDeps(): SourceDeps {
  return { resolveSecret: createSecretResolver(), http: createHttpClient };
}
