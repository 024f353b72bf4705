import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { ensureFerretDb, ensureTemporalCli, findMongod } from './binaries';
import { freePort, portOrFree } from './ports';
import { startServer, waitUntilReady } from './processes';
import type { ServerProcess } from './processes';
import type { StackState } from './state';

export interface StackOptions {
  /** Where persistent data lives (`<home>/temporal.db`, `<home>/mongo/`). */
  home: string;
  /** Keep Temporal history and the store across restarts; otherwise everything lives in a temp dir. */
  persistent: boolean;
  /** Serve the Temporal Web UI. */
  ui: boolean;
  /** Use 7233 / 8233 / 27017 when they are free, so the addresses are the familiar ones. */
  preferDefaultPorts: boolean;
  /** Namespaces to create besides `default`. */
  extraNamespaces?: readonly string[];
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface LocalStack extends Omit<StackState, 'pid' | 'startedAt'> {
  stop: () => Promise<void>;
}

const NAMESPACE = 'default';

/** Starts the Temporal dev server and a MongoDB wire-protocol server on loopback and waits until both answer. */
export async function startLocalStack(options: StackOptions): Promise<LocalStack> {
  const env = options.env ?? process.env;
  const scratch = options.persistent ? undefined : await mkdtemp(join(tmpdir(), 'rosterflow-stack-'));
  const dataDir = scratch ?? options.home;
  await mkdir(dataDir, { recursive: true });
  const pick = (preferred: number) => (options.preferDefaultPorts ? portOrFree(preferred) : freePort());

  const servers: ServerProcess[] = [];
  const stop = async () => {
    for (const server of servers.reverse()) await server.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  };

  try {
    const mongo = await startMongo(dataDir, pick, options.log, env);
    if (mongo.server) servers.push(mongo.server);

    const temporalCli = await ensureTemporalCli(options.log, env);
    const port = await pick(7233);
    const uiPort = options.ui ? await pick(8233) : undefined;
    const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', NAMESPACE];
    for (const namespace of options.extraNamespaces ?? []) args.push('--namespace', namespace);
    args.push(...(uiPort === undefined ? ['--headless'] : ['--ui-port', String(uiPort)]));
    if (options.persistent) args.push('--db-filename', join(dataDir, 'temporal.db'));
    // No outbound version check: these machines have no network beyond package registries.
    args.push('--dynamic-config-value', 'frontend.enableServerVersionCheck=false', '--log-level', 'error');
    const temporal = startServer('Temporal dev server', temporalCli, args, env);
    servers.push(temporal);
    const temporalAddress = `127.0.0.1:${port}`;
    await waitUntilReady(temporal, () => pingTemporal(temporalAddress), 60_000);

    return {
      temporalAddress,
      namespace: NAMESPACE,
      uiUrl: uiPort === undefined ? null : `http://127.0.0.1:${uiPort}`,
      mongoUri: mongo.uri,
      mongoKind: mongo.kind,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startMongo(
  dataDir: string,
  pick: (preferred: number) => Promise<number>,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv,
): Promise<{ uri: string; kind: StackState['mongoKind']; server?: ServerProcess }> {
  const external = env['MONGODB_URI'];
  if (external) {
    await pingMongo(external).catch((err: unknown) => {
      throw new Error(`MONGODB_URI is set but the server does not answer (${(err as Error).message})`);
    });
    return { uri: external, kind: 'external' };
  }

  const port = await pick(27017);
  const dbPath = join(dataDir, 'mongo');
  await mkdir(dbPath, { recursive: true });
  const uri = `mongodb://127.0.0.1:${port}/`;
  const mongod = await findMongod(env);
  const server = mongod
    ? startServer(
        'mongod',
        mongod,
        ['--dbpath', dbPath, '--port', String(port), '--bind_ip', '127.0.0.1', '--quiet'],
        env,
      )
    : startServer(
        'FerretDB',
        await ensureFerretDb(log, env),
        ['-listen', `127.0.0.1:${port}`, '-data-dir', dbPath],
        env,
      );
  await waitUntilReady(server, () => pingMongo(uri), 30_000);
  return { uri, kind: mongod ? 'mongod' : 'ferretdb', server };
}

async function pingTemporal(address: string): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: '1s' });
  try {
    await connection.workflowService.getSystemInfo({});
  } finally {
    await connection.close();
  }
}

async function pingMongo(uri: string): Promise<void> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 1_000 });
  try {
    await client.db('admin').command({ ping: 1 });
  } finally {
    await client.close();
  }
}
