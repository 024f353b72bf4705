import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { Logger } from '@temporalio/worker';
import { inject } from 'vitest';
import { stringify } from 'yaml';
import { openStore } from '../../store/store';
import type { Store } from '../../store/store';
import { createRosterflowWorker } from '../../worker/create-worker';
import type { TestNamespace } from './namespaces';

export const REPO_ROOT = resolve(__dirname, '..', '..');

/** A real worker on its own task queue and database, serving a config file in a temp folder. */
export interface Harness {
  client: Client;
  namespace: TestNamespace;
  store: Store;
  taskQueue: string;
  dbName: string;
  /** A temp folder for this test file; `examples/` in it is a copy of the repo's, `out/` beside it. */
  dir: string;
  /** The copied examples/data folder. */
  dataDir: string;
  configPath: string;
  temporalAddress: string;
  mongoUri: string;
  writeConfig(config: unknown): Promise<void>;
  close(): Promise<void>;
}

let runtimeInstalled = false;

export interface HarnessOptions {
  /** For the worker and the client alike; default: the SDK's own, whatever the environment says. */
  dataConverter?: DataConverter;
  /** The worker runtime's logger (once per test process); default: errors only. */
  logger?: Logger;
  /** Another Temporal server than the shared one (a test that stops and restarts its own). */
  temporalAddress?: string;
  /** Another store than the shared one (a test that stops and restarts its own). */
  mongoUri?: string;
}

export async function startHarness(
  name: TestNamespace extends `test-${infer N}` ? N : never,
  options: HarnessOptions = {},
): Promise<Harness> {
  const dataConverter = options.dataConverter ?? {};
  const namespace: TestNamespace = `test-${name}`;
  if (!runtimeInstalled) {
    // Worker logs (including the expected failures tests provoke) would bury the report; errors still show.
    Runtime.install({ logger: options.logger ?? new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  const temporalAddress = options.temporalAddress ?? inject('temporalAddress');
  const mongoUri = options.mongoUri ?? inject('mongoUri');
  const suffix = randomUUID().slice(0, 8);
  const taskQueue = `test-${name}-${suffix}`;
  const dbName = `rosterflow_test_${name.replace(/\W/g, '_')}_${suffix}`;

  const dir = await mkdtemp(join(tmpdir(), `rosterflow-${name}-`));
  await cp(join(REPO_ROOT, 'examples'), join(dir, 'examples'), { recursive: true });
  const configPath = join(dir, 'examples', 'rosterflow.yaml');

  const store = await openStore(mongoUri, dbName);
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
  const connection = await Connection.connect({ address: temporalAddress });
  const worker = await createRosterflowWorker({
    connection: nativeConnection,
    namespace,
    taskQueue,
    store,
    configPath,
    workflowBundlePath: inject('workflowBundlePath'),
    dataConverter,
  });
  const running = worker.run();

  return {
    client: new Client({ connection, namespace, dataConverter }),
    namespace,
    store,
    taskQueue,
    dbName,
    dir,
    dataDir: join(dir, 'examples', 'data'),
    configPath,
    temporalAddress,
    mongoUri,
    writeConfig: (config) => writeFile(configPath, typeof config === 'string' ? config : stringify(config)),
    async close() {
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
