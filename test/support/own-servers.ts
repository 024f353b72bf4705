import { once } from 'node:events';
import { join } from 'node:path';
import { freePort } from '../../tools/stack/ports';
import type { ServerProcess } from '../../tools/stack/processes';
import { startMongoServer, startTemporalDevServer } from '../../tools/stack/stack';

const log = (line: string) => console.log(`[own-server] ${line}`);

/**
 * A server a test file owns, on a random free port with its own data, so the test can stop it and
 * start it again (same port, same data) without touching the shared stack.
 */
abstract class OwnServer {
  protected server: ServerProcess | undefined;

  /** Whether the process is running. */
  get running(): boolean {
    const child = this.server?.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Stops the process with `signal` (SIGTERM waits at most 15 s before SIGKILL); returns how long it took. */
  async stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<number> {
    const server = this.server;
    if (!server || !this.running) return 0;
    const started = Date.now();
    const exited = once(server.child, 'exit');
    server.child.kill(signal);
    const escalate = setTimeout(() => server.child.kill('SIGKILL'), 15_000);
    try {
      await exited;
    } finally {
      clearTimeout(escalate);
    }
    return Date.now() - started;
  }

  /** Starts it (again) on the same port with the same data; returns how long until it answered. */
  async start(): Promise<number> {
    if (this.running) throw new Error('already running');
    const started = Date.now();
    this.server = await this.launch();
    return Date.now() - started;
  }

  /** The tail of its output, for failure messages. */
  output(): string {
    return this.server?.output() ?? '';
  }

  protected abstract launch(): Promise<ServerProcess>;
}

/** A MongoDB wire-protocol server (mongod on PATH, else FerretDB) with its data in `dataDir`. */
export class OwnMongo extends OwnServer {
  private constructor(
    readonly port: number,
    readonly dataDir: string,
  ) {
    super();
  }

  static async create(dir: string): Promise<OwnMongo> {
    return new OwnMongo(await freePort(), join(dir, 'mongo'));
  }

  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  protected async launch(): Promise<ServerProcess> {
    return (await startMongoServer({ port: this.port, dataDir: this.dataDir, log })).server;
  }
}

/** A Temporal dev server whose history lives in `dbFile`, so a restart carries on with the same workflows. */
export class OwnTemporal extends OwnServer {
  private constructor(
    readonly port: number,
    readonly dbFile: string,
    readonly namespaces: readonly string[],
  ) {
    super();
  }

  static async create(dir: string, namespaces: readonly string[]): Promise<OwnTemporal> {
    return new OwnTemporal(await freePort(), join(dir, 'temporal.db'), namespaces);
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  protected async launch(): Promise<ServerProcess> {
    const { server } = await startTemporalDevServer({
      port: this.port,
      dbFile: this.dbFile,
      namespaces: this.namespaces,
      readyTimeoutMs: 120_000,
      log,
    });
    return server;
  }
}
