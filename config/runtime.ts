import { resolve } from 'node:path';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { homeDir } from '../tools/stack/paths';
import { readStackState } from '../tools/stack/state';

export const DEFAULT_TASK_QUEUE = 'rosterflow';
export const DEFAULT_CONFIG_PATH = 'rosterflow.yaml';

/** Where the worker and the CLI find Temporal, the store and the sync definitions. */
export interface RuntimeSettings {
  temporal: { connectionOptions: NativeConnectionOptions; namespace: string };
  taskQueue: string;
  mongoUri: string;
  dbName: string;
  configPath: string;
}

/**
 * Environment first (TEMPORAL_ADDRESS and the other TEMPORAL_* variables or profile that Temporal's
 * own tools read, MONGODB_URI, ROSTERFLOW_*), then a local stack running from this folder.
 */
export async function resolveRuntimeSettings(
  overrides: { configPath?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<RuntimeSettings> {
  const stack = await readStackState(homeDir(env));
  const temporal = loadClientConnectConfig({ overrideEnvVars: definedOnly(env) });
  const address = env['TEMPORAL_ADDRESS'] ?? stack?.temporalAddress ?? temporal.connectionOptions.address;
  const mongoUri = env['MONGODB_URI'] ?? stack?.mongoUri;
  if (!mongoUri) {
    throw new Error('MONGODB_URI is not set and no local stack is running here (start one with `npm run stack`)');
  }
  return {
    temporal: {
      connectionOptions: { ...temporal.connectionOptions, ...(address ? { address } : {}) },
      namespace: env['TEMPORAL_NAMESPACE'] ?? temporal.namespace ?? stack?.namespace ?? 'default',
    },
    taskQueue: env['ROSTERFLOW_TASK_QUEUE'] ?? DEFAULT_TASK_QUEUE,
    mongoUri,
    dbName: env['ROSTERFLOW_DB'] ?? 'rosterflow',
    configPath: resolve(overrides.configPath ?? env['ROSTERFLOW_CONFIG'] ?? DEFAULT_CONFIG_PATH),
  };
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
