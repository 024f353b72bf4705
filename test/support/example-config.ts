import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './harness';

/** A fresh, mutable copy of examples/rosterflow.yaml as plain data. */
export function exampleConfig(): ExampleConfig {
  return parse(readFileSync(join(REPO_ROOT, 'examples', 'rosterflow.yaml'), 'utf8')) as ExampleConfig;
}

export interface ExampleConfig {
  version: number;
  syncs: Array<{
    id: string;
    schedule?: Record<string, unknown>;
    source: Record<string, unknown> & { path: string };
    target: Record<string, unknown> & { path: string };
    onRejectedRows?: string;
    [key: string]: unknown;
  }>;
}

/**
 * The example config with one sync only: the example's CSV source reading `data/<file>` into a
 * csv-file target at `output`, with the given safety settings.
 */
export function singleCsvSync(
  syncId: string,
  file: string,
  output: string,
  safety?: Record<string, unknown>,
): ExampleConfig {
  const config = exampleConfig();
  const base = config.syncs[0]!;
  config.syncs = [
    {
      id: syncId,
      source: { ...base.source, path: `data/${file}` },
      target: { ...base.target, path: output },
      ...(safety ? { safety } : {}),
    },
  ];
  return config;
}
