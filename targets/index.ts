import { z } from 'zod';
import { CsvFileTargetConfigSchema } from './csv-file/config';
import type { CsvFileTargetConfig } from './csv-file/config';
import { createCsvFileLayouts } from './csv-file/layout';
import type { ArtifactLayout } from './sdk/layout';

/** How the workflow delivers a target's artifacts; each has its own orchestration in workflows/. */
export type DeliveryKind = 'file';

/** A target's registration: config, layouts, and which delivery orchestration it uses. */
export interface TargetDefinition<Config extends { type: string } = { type: string }> {
  type: Config['type'];
  title: string;
  configSchema: z.ZodType<Config, unknown>;
  delivery: DeliveryKind;
  /** Fresh layouts for one render pass. */
  layouts(config: Config): readonly ArtifactLayout[];
  /** Where deliveries land, for the run record: a path or URL, never credentials. */
  location(config: Config): string;
}

const csvFileTarget: TargetDefinition<CsvFileTargetConfig> = {
  type: 'csv-file',
  title: 'CSV file on a local path or mounted share (atomic rename)',
  configSchema: CsvFileTargetConfigSchema,
  delivery: 'file',
  layouts: createCsvFileLayouts,
  location: (config) => config.path,
};

export const TARGET_DEFINITIONS: readonly TargetDefinition[] = [csvFileTarget] as readonly TargetDefinition[];

export const TargetConfigSchema = z.discriminatedUnion('type', [CsvFileTargetConfigSchema]);
export type TargetConfig = z.infer<typeof TargetConfigSchema>;

export function targetDefinition(type: string): TargetDefinition {
  const definition = TARGET_DEFINITIONS.find((candidate) => candidate.type === type);
  if (!definition) throw new Error(`No target is registered for type "${type}"`);
  return definition;
}
