import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { stringify } from 'yaml';
import { startLocalStack } from '../tools/stack/stack';
import type { LocalStack } from '../tools/stack/stack';
import { historyStats } from './history-stats';
import type { HistoryStats } from './history-stats';
import { childServingPort, spawnNode, stopChild, tail, waitForOutput } from './processes';
import type { BenchChild } from './processes';
import { PeakRssSampler } from './rss';

export const ROOT = join(__dirname, '..');

/** A sync of the bench's config file: its id, source and target sections. */
export interface BenchSync {
  id: string;
  source: Record<string, unknown>;
  target: Record<string, unknown>;
}

/** A production worker process (dist/) and its peak RSS sampler. */
export interface BenchWorker {
  process: BenchChild;
  rss: PeakRssSampler;
}

/**
 * A fresh local stack in `home` (Temporal dev server + the embedded store on random loopback ports),
 * a config file of `syncs`, and the environment a user's worker and CLI would have. Workers and CLI
 * runs are started through it; `close` stops everything it started.
 */
export class BenchSession {
  /** Every worker started, in order. */
  readonly workers: BenchWorker[] = [];

  private constructor(
    readonly stack: LocalStack,
    readonly env: NodeJS.ProcessEnv,
    readonly storeRss: PeakRssSampler,
    readonly connection: Connection,
    readonly client: Client,
    readonly mongo: MongoClient,
    private readonly home: string,
  ) {}

  static async open(home: string, syncs: BenchSync[], extraEnv: Record<string, string>): Promise<BenchSession> {
    const baseEnv = withoutConnectionSettings(process.env);
    const stack = await startLocalStack({
      home,
      persistent: false,
      ui: false,
      preferDefaultPorts: false,
      log: () => undefined,
      env: baseEnv,
    });
    try {
      const storePid = await childServingPort(Number(new URL(stack.mongoUri).port));
      if (storePid === undefined) throw new Error(`found no store process serving ${stack.mongoUri}`);
      const configPath = join(home, 'rosterflow.yaml');
      await writeFile(configPath, stringify({ version: 1, syncs }));
      const env: NodeJS.ProcessEnv = {
        ...baseEnv,
        // The production worker's environment, as the Dockerfile sets it.
        NODE_ENV: 'production',
        MALLOC_ARENA_MAX: '2',
        MALLOC_TRIM_THRESHOLD_: '131072',
        NODE_OPTIONS: '--max-semi-space-size=4',
        TEMPORAL_ADDRESS: stack.temporalAddress,
        TEMPORAL_NAMESPACE: stack.namespace,
        MONGODB_URI: stack.mongoUri,
        ROSTERFLOW_CONFIG: configPath,
        ROSTERFLOW_HOME: join(home, '.rosterflow'),
        ROSTERFLOW_WORKFLOW_BUNDLE: join(ROOT, 'dist', 'workflow-bundle.js'),
        ...extraEnv,
      };
      const connection = await Connection.connect({ address: stack.temporalAddress });
      const client = new Client({ connection, namespace: stack.namespace });
      const mongo = await MongoClient.connect(stack.mongoUri);
      return new BenchSession(stack, env, new PeakRssSampler(storePid), connection, client, mongo, home);
    } catch (err) {
      await stack.stop();
      throw err;
    }
  }

  /** Starts `node dist/worker/main.js` and waits until it polls its task queue. */
  async startWorker(): Promise<BenchWorker> {
    // BENCH_CPU_PROFILE=<dir>: the worker writes a V8 CPU profile there when it stops (open it in
    // Chrome's DevTools); BENCH_WORKER_FLAGS: more node flags for the worker, space-separated.
    const profile = this.env['BENCH_CPU_PROFILE'];
    const flags = [
      ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
      ...(this.env['BENCH_WORKER_FLAGS'] ?? '').split(' ').filter(Boolean),
    ];
    const process = spawnNode([...flags, join(ROOT, 'dist', 'worker', 'main.js')], this.env, this.home);
    const worker = { process, rss: new PeakRssSampler(process.pid) };
    this.workers.push(worker);
    await waitForOutput(process, 'rosterflow worker: task queue', 120_000);
    return worker;
  }

  /** Starts `rosterflow run <syncId>` as a user would; `limitMs` later it is killed, so a hung run ends the bench. */
  runCli(syncId: string, limitMs: number): { cli: BenchChild; exited: Promise<number | null> } {
    const cli = spawnNode([join(ROOT, 'dist', 'cli', 'main.js'), 'run', syncId], this.env, this.home);
    const timer = setTimeout(() => cli.child.kill('SIGKILL'), limitMs);
    return { cli, exited: cli.exited.finally(() => clearTimeout(timer)) };
  }

  /** The history of the workflow a finished `rosterflow run` printed it started. */
  async historyOf(cli: BenchChild): Promise<HistoryStats> {
    const ids = startedIds(cli);
    return historyStats(await this.client.workflow.getHandle(ids.workflowId, ids.runId).fetchHistory());
  }

  /** Everything the workers printed last, for a failure message. */
  workerTails(): string {
    return this.workers.map((worker) => tail(worker.process)).join('\n---\n');
  }

  async close(): Promise<void> {
    for (const worker of this.workers) {
      await worker.rss.stop();
      await stopChild(worker.process);
    }
    await this.storeRss.stop();
    await this.mongo.close();
    await this.connection.close();
    await this.stack.stop();
  }
}

/** The workflow and run id `rosterflow run` prints when it starts a run. */
export function startedIds(cli: BenchChild): { workflowId: string; runId: string } {
  const ids = /started (\S+) \(run (\S+)\)/.exec(cli.output());
  if (!ids) throw new Error(`rosterflow run did not print its workflow id:\n${tail(cli)}`);
  return { workflowId: ids[1]!, runId: ids[2]! };
}

/** The environment without the settings that would point the stack, worker or CLI somewhere else. */
function withoutConnectionSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(
      ([name]) => name !== 'MONGODB_URI' && !name.startsWith('TEMPORAL_') && !name.startsWith('ROSTERFLOW_'),
    ),
  );
}

/** Lines after the header of a CSV file whose cells hold no line breaks (every delivered cell is on one line). */
export async function dataRows(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path)) {
    for (const byte of chunk as Buffer) if (byte === 10) lines += 1;
  }
  return Math.max(0, lines - 1);
}

/** The file's sha256, hex. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
