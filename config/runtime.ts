import { resolve } from 'node:path';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { readSetting } from '../core/env';
import { RosterflowError } from '../core/errors';
import { homeDir } from '../tools/stack/paths';
import { readStackState } from '../tools/stack/state';

export const DEFAULT_TASK_QUEUE = 'rosterflow';
export const DEFAULT_CONFIG_PATH = 'rosterflow.yaml';
export const DEFAULT_DB_NAME = 'rosterflow';

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
  const setting = (name: string) => readSetting(env, name);
  const stack = await readStackState(homeDir(env));
  const temporal = loadClientConnectConfig({ overrideEnvVars: nonEmptyOnly(env) });
  const address = setting('TEMPORAL_ADDRESS') ?? stack?.temporalAddress ?? temporal.connectionOptions.address;
  const mongoUri = setting('MONGODB_URI') ?? stack?.mongoUri;
  if (!mongoUri) {
    throw new RosterflowError(
      'InvalidConfig',
      'MONGODB_URI is not set and no local stack is running here (start one with `npm run stack`)',
    );
  }
  return {
    temporal: {
      connectionOptions: { ...temporal.connectionOptions, ...(address ? { address } : {}) },
      namespace: setting('TEMPORAL_NAMESPACE') ?? temporal.namespace ?? stack?.namespace ?? 'default',
    },
    taskQueue: setting('ROSTERFLOW_TASK_QUEUE') ?? DEFAULT_TASK_QUEUE,
    mongoUri,
    dbName: setting('ROSTERFLOW_DB') ?? DEFAULT_DB_NAME,
    configPath: resolve(overrides.configPath ?? setting('ROSTERFLOW_CONFIG') ?? DEFAULT_CONFIG_PATH),
  };
}

function nonEmptyOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => Boolean(entry[1])));
}
