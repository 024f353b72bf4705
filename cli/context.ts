import { Client, Connection } from '@temporalio/client';
import { resolveConfigPath } from '../config/config-path';
import { resolveRuntimeSettings } from '../config/runtime';
import { dataConverterFromEnv } from '../core/payload-codec';
import type { RuntimeSettings } from '../config/runtime';
import { openStore } from '../store/store';
import type { Store } from '../store/store';

export interface GlobalOptions {
  config?: string;
}

export function settingsFrom(): Promise<RuntimeSettings> {
  return resolveRuntimeSettings();
}

/**
 * The config file this command reads: --config, ROSTERFLOW_CONFIG, ./rosterflow.yaml, the one a
 * `rosterflow dev` running here serves, then the command's own `fallback` (config/config-path.ts).
 */
export function configPathFrom(options: GlobalOptions, fallback?: string): Promise<string> {
  return resolveConfigPath({ explicit: options.config, ...(fallback === undefined ? {} : { fallback }) });
}

export async function withClient<T>(settings: RuntimeSettings, work: (client: Client) => Promise<T>): Promise<T> {
  // Read (and checked) before connecting, so a bad ROSTERFLOW_PAYLOAD_KEY fails fast.
  const dataConverter = dataConverterFromEnv(process.env);
  const connection = await Connection.connect(settings.temporal.connectionOptions);
  try {
    const namespace = settings.temporal.namespace;
    return await work(new Client({ connection, namespace, ...(dataConverter ? { dataConverter } : {}) }));
  } finally {
    await connection.close();
  }
}

export async function withStore<T>(settings: RuntimeSettings, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(settings.mongoUri, settings.dbName);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
