import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { ensureSearchAttributes } from '../../worker/search-attributes-check';
import { searchAttributeArgs } from '../../workflows/search-attributes';
import { ensureFerretDb, ensureTemporalCli, findMongod } from './binaries';
import { freePort, portOrFree } from './ports';
import { startServer, waitUntilReady } from './processes';
import type { ServerProcess } from './processes';
import type { StackState } from './state';
import { StackError } from './errors';

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
  /** Where the Web UI decodes encrypted payloads (with `ui`). */
  uiCodecEndpoint?: string;
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

    const port = await pick(7233);
    const uiPort = options.ui ? await pick(8233) : undefined;
    const temporal = await startTemporalDevServer({
      port,
      ...(uiPort === undefined ? {} : { uiPort }),
      ...(uiPort === undefined || options.uiCodecEndpoint === undefined
        ? {}
        : { uiCodecEndpoint: options.uiCodecEndpoint }),
      namespaces: [NAMESPACE, ...(options.extraNamespaces ?? [])],
      ...(options.persistent ? { dbFile: join(dataDir, 'temporal.db') } : {}),
      log: options.log,
      env,
    });
    servers.push(temporal.server);
    const temporalAddress = temporal.address;

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
      throw new StackError(`MONGODB_URI is set but the server does not answer (${(err as Error).message})`);
    });
    return { uri: external, kind: 'external' };
  }

  const port = await pick(27017);
  return startMongoServer({ port, dataDir: join(dataDir, 'mongo'), log, env });
}

export interface TemporalDevServerOptions {
  /** The frontend gRPC port on 127.0.0.1. */
  port: number;
  /** Serve the Web UI on this port; headless without one. */
  uiPort?: number;
  /** Namespaces to create at start (`default` always exists). */
  namespaces?: readonly string[];
  /** Keep history in this SQLite file, so a restart with the same file carries on where it stopped. */
  dbFile?: string;
  /** A payload codec endpoint the Web UI decodes payloads through (`rosterflow codec-server`'s protocol). */
  uiCodecEndpoint?: string;
  /** How long to wait for the frontend to answer (default 60 s). */
  readyTimeoutMs?: number;
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/**
 * One Temporal dev server (`temporal server start-dev`) on 127.0.0.1, ready to answer. Starting it
 * again with the same `port` and `dbFile` after it stopped restarts the same cluster.
 */
export async function startTemporalDevServer(
  options: TemporalDevServerOptions,
): Promise<{ address: string; server: ServerProcess }> {
  const env = options.env ?? process.env;
  const temporalCli = await ensureTemporalCli(options.log, env);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port)];
  for (const namespace of options.namespaces ?? []) args.push('--namespace', namespace);
  // Every run's sync, types and status, for the Web UI's filters (docs/operations.md gives production's commands).
  for (const { name, type } of searchAttributeArgs()) args.push('--search-attribute', `${name}=${type}`);
  args.push(...(options.uiPort === undefined ? ['--headless'] : ['--ui-port', String(options.uiPort)]));
  if (options.dbFile !== undefined) args.push('--db-filename', options.dbFile);
  if (options.uiCodecEndpoint !== undefined) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  // No outbound version check: these machines have no network beyond package registries.
  args.push('--dynamic-config-value', 'frontend.enableServerVersionCheck=false', '--log-level', 'error');
  const server = startServer('Temporal dev server', temporalCli, args, env);
  const address = `127.0.0.1:${options.port}`;
  await waitUntilReady(server, () => pingTemporal(address), options.readyTimeoutMs ?? 60_000);
  // The flags above register them only in a new database: a stack restarted on an older one gets them here.
  const connection = await Connection.connect({ address });
  try {
    for (const namespace of ['default', ...(options.namespaces ?? [])]) {
      await ensureSearchAttributes(connection, namespace, options.log);
    }
  } finally {
    await connection.close();
  }
  return { address, server };
}

export interface MongoServerOptions {
  /** The port on 127.0.0.1. */
  port: number;
  /** The server's data folder; starting again with the same folder keeps the data. */
  dataDir: string;
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** One MongoDB wire-protocol server (`mongod` on PATH, else FerretDB) on 127.0.0.1, ready to answer. */
export async function startMongoServer(
  options: MongoServerOptions,
): Promise<{ uri: string; kind: 'mongod' | 'ferretdb'; server: ServerProcess }> {
  const env = options.env ?? process.env;
  const { port, dataDir: dbPath } = options;
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
        await ensureFerretDb(options.log, env),
        ['-listen', `127.0.0.1:${port}`, '-data-dir', dbPath],
        env,
      );
  await waitUntilReady(server, () => pingMongo(uri), 30_000);
  return { uri, kind: mongod ? 'mongod' : 'ferretdb', server };
}

/** Resolves once the Temporal frontend at `address` answers. */
export async function pingTemporal(address: string): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: '1s' });
  try {
    await connection.workflowService.getSystemInfo({});
  } finally {
    await connection.close();
  }
}

/** Resolves once the MongoDB wire-protocol server at `uri` answers a ping. */
export async function pingMongo(uri: string): Promise<void> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 1_000 });
  try {
    await client.db('admin').command({ ping: 1 });
  } finally {
    await client.close();
  }
}
