import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheDir } from '../../tools/stack/paths';
import { ENCRYPTED_ENCODING, createEncryptionCodec, payloadToJson } from '../../core/payload-codec';
import type { SyncRosterResult } from '../../workflows/sync-roster';
import { exampleConfig } from '../support/example-config';
import { REPO_ROOT, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness('processes');
  const config = exampleConfig();
  config.syncs[0]!.target.path = join(harness.dir, 'out', 'worker-entry.csv');
  await harness.writeConfig(config);
});
afterAll(() => harness.close());

/** Starts a long-running entry point and collects its output. */
function launch(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  child: ChildProcess,
  output: () => string,
  options: { afterExit?: boolean } = {},
) {
  const deadline = Date.now() + 150_000;
  while (!(await check())) {
    if (child.exitCode !== null && !options.afterExit)
      throw new Error(`exited (${child.exitCode}) before ${what}:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('entry points as real processes', () => {
  it('the worker entry serves runs and exits cleanly on SIGTERM', async () => {
    const taskQueue = `${harness.taskQueue}-entry`;
    const worker = launch(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['worker/main.ts'], {
      TEMPORAL_ADDRESS: harness.temporalAddress,
      TEMPORAL_NAMESPACE: harness.namespace,
      MONGODB_URI: harness.mongoUri,
      ROSTERFLOW_DB: harness.dbName,
      ROSTERFLOW_TASK_QUEUE: taskQueue,
      ROSTERFLOW_CONFIG: harness.configPath,
    });
    await waitFor(
      () => worker.output().includes('rosterflow worker: task queue'),
      'the worker to start',
      worker.child,
      worker.output,
    );

    const handle = await harness.client.workflow.start('syncRoster', {
      taskQueue,
      workflowId: `entry-${Date.now()}`,
      args: [{ syncId: 'acme-people' }],
    });
    const result = (await handle.result()) as SyncRosterResult;
    expect(result.rendered).toBe(9);

    const exited = once(worker.child, 'exit');
    worker.child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  }, 120_000);

  it('`stack start` brings up a working stack that `stack stop` shuts down cleanly', async () => {
    const home = await mkdtemp(join(tmpdir(), 'rosterflow-stack-home-'));
    const env = { ROSTERFLOW_HOME: home, MONGODB_URI: '', TEMPORAL_ADDRESS: '' };
    const cli = join(REPO_ROOT, 'bin', 'rosterflow');
    const stack = launch(cli, ['stack', 'start', '--headless', '--random-ports'], env);
    try {
      await waitFor(
        () => stack.output().includes('Local stack is up'),
        'the stack to start',
        stack.child,
        stack.output,
      );
      const state = JSON.parse(await readFile(join(home, 'stack.json'), 'utf8')) as {
        temporalAddress: string;
        pid: number;
      };
      expect(state.pid).toBe(stack.child.pid);
      const connection = await Connection.connect({ address: state.temporalAddress });
      await connection.workflowService.getSystemInfo({});
      await connection.close();

      const status = launch(cli, ['stack', 'status'], env);
      await once(status.child, 'exit');
      expect(status.output()).toContain(`Temporal   ${state.temporalAddress}`);

      const exited = once(stack.child, 'exit');
      const stop = launch(cli, ['stack', 'stop'], env);
      await once(stop.child, 'exit');
      expect(stop.output()).toContain('Local stack stopped.');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      await expect(Connection.connect({ address: state.temporalAddress, connectTimeout: '1s' })).rejects.toThrow();
    } finally {
      stack.child.kill('SIGKILL');
      await rm(home, { recursive: true, force: true });
    }
  }, 120_000);

  it('`dev` with ROSTERFLOW_PAYLOAD_KEY points the Web UI at a codec endpoint that decodes for it', async () => {
    const home = await mkdtemp(join(tmpdir(), 'rosterflow-dev-home-'));
    const key = randomBytes(32);
    const env = {
      ROSTERFLOW_HOME: home,
      ROSTERFLOW_PAYLOAD_KEY: key.toString('base64'),
      MONGODB_URI: '',
      TEMPORAL_ADDRESS: '',
      TEMPORAL_NAMESPACE: '',
      ROSTERFLOW_TASK_QUEUE: '',
    };
    const dev = launch(
      join(REPO_ROOT, 'bin', 'rosterflow'),
      ['dev', '--random-ports', '--config', harness.configPath],
      env,
    );
    try {
      await waitFor(() => dev.output().includes('press Ctrl-C'), 'the demo run', dev.child, dev.output);
      expect(dev.output()).toContain('SUCCEEDED');
      const uiUrl = /Web UI {5}(http:\/\/127\.0\.0\.1:\d+)/.exec(dev.output())?.[1];
      const codecUrl = /decodes them through (http:\/\/127\.0\.0\.1:\d+)/.exec(dev.output())?.[1];
      expect(uiUrl).toBeDefined();
      expect(codecUrl).toBeDefined();

      // The Web UI's own settings name the endpoint, so it decodes without anyone configuring it.
      const settings = (await (await fetch(`${uiUrl}/api/v1/settings`)).json()) as { Codec: { Endpoint: string } };
      expect(settings.Codec.Endpoint).toBe(codecUrl);

      // And the endpoint decodes what a worker with the same key encrypted, for the UI's origin only.
      const codec = createEncryptionCodec(key, 'default');
      const [encrypted] = await codec.encode([
        { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('7') },
      ]);
      expect(Buffer.from(encrypted!.metadata!['encoding']!).toString()).toBe(ENCRYPTED_ENCODING);
      const response = await fetch(`${codecUrl}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: uiUrl! },
        body: JSON.stringify({ payloads: [payloadToJson(encrypted!)] }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(uiUrl);
      const decoded = (await response.json()) as { payloads: { data: string }[] };
      expect(Buffer.from(decoded.payloads[0]!.data, 'base64').toString()).toBe('7');

      const exited = once(dev.child, 'exit');
      dev.child.kill('SIGINT');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      await expect(fetch(`${codecUrl}/decode`, { method: 'POST' })).rejects.toThrow();
    } finally {
      dev.child.kill('SIGKILL');
      await rm(home, { recursive: true, force: true });
    }
  }, 180_000);
});

/** The pids of every process below `root` (children, their children, ...), read from /proc. */
async function descendantsOf(root: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isInteger(ppid)) parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  for (let queue = [root]; queue.length > 0;) {
    const children = parents.get(queue.shift()!) ?? [];
    found.push(...children);
    queue.push(...children);
  }
  return found;
}

/** Alive and not a zombie waiting to be reaped. */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** `git status --porcelain` of the checkout the tests run from. */
async function gitStatus(): Promise<string> {
  const { stdout } = await promisify(execFile)('git', ['status', '--porcelain'], { cwd: REPO_ROOT });
  return stdout;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('stopping `npm run demo`', () => {
  // Random ports and a scratch home, state folder and config: never the default ports or the repo's
  // .rosterflow/, whatever else runs on this machine. The built servers come from the usual cache.
  async function startDemo() {
    const scratch = await mkdtemp(join(tmpdir(), 'rosterflow-demo-stop-'));
    await cp(join(REPO_ROOT, 'examples'), join(scratch, 'examples'), { recursive: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: join(scratch, 'home'),
      XDG_CACHE_HOME: dirname(cacheDir()),
      ROSTERFLOW_HOME: join(scratch, 'state'),
      npm_config_update_notifier: 'false',
    };
    for (const name of ['MONGODB_URI', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'ROSTERFLOW_TASK_QUEUE']) {
      delete env[name];
    }
    // Its own process group, so that the clean-up below can end npm and node whatever happens.
    const child = spawn(
      'npm',
      ['run', 'demo', '--', '--random-ports', '--config', join(scratch, 'examples', 'rosterflow.yaml')],
      {
        cwd: REPO_ROOT,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const seen = new Set<number>();
    return {
      child,
      scratch,
      output: () => output,
      seen,
      async cleanUp() {
        // The servers run in process groups of their own: found as descendants, while npm still runs.
        const pids = [...seen, ...(await descendantsOf(child.pid!)), child.pid!];
        for (const pid of pids) if (await isRunning(pid)) process.kill(pid, 'SIGKILL');
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // The group is gone already.
        }
        await rm(scratch, { recursive: true, force: true });
      },
    };
  }

  const cases = [
    // npm forwards SIGTERM and SIGINT to the demo and exits as it does.
    { signal: 'SIGTERM', to: 'the npm process', group: false, npmExit: [0, null] },
    { signal: 'SIGINT', to: 'the npm process', group: false, npmExit: [0, null] },
    { signal: 'SIGINT', to: 'the process group (Ctrl-C in a terminal)', group: true, npmExit: [0, null] },
    // npm itself dies of SIGHUP; the demo stops on its own.
    { signal: 'SIGHUP', to: 'the process group (the terminal closed)', group: true, npmExit: [null, 'SIGHUP'] },
  ] as const;
  for (const { signal, to, group, npmExit } of cases) {
    it(`${signal} to ${to} stops the worker, Temporal and the store, and frees their ports`, async () => {
      // The demo leaves the checkout as it found it (lock file, outputs, state all elsewhere or ignored).
      const statusBefore = await gitStatus();
      const demo = await startDemo();
      try {
        await waitFor(() => demo.output().includes('press Ctrl-C'), 'the demo run', demo.child, demo.output);
        expect(demo.output()).toContain('SUCCEEDED');
        const started = await descendantsOf(demo.child.pid!);
        for (const pid of started) demo.seen.add(pid);
        const state = JSON.parse(await readFile(join(demo.scratch, 'state', 'stack.json'), 'utf8')) as {
          temporalAddress: string;
          uiUrl: string;
          mongoUri: string;
        };
        const ports = [state.temporalAddress, state.uiUrl, state.mongoUri].map((address) =>
          Number(/:(\d+)\/?$/.exec(address)?.[1]),
        );
        // The servers and the node process running the demo, below npm.
        expect(started.length).toBeGreaterThanOrEqual(3);
        expect(await Promise.all(ports.map(portIsFree))).toEqual([false, false, false]);

        const exited = once(demo.child, 'exit');
        process.kill(group ? -demo.child.pid! : demo.child.pid!, signal);
        expect(await exited).toEqual(npmExit);
        await waitFor(
          async () => (await Promise.all(started.map(isRunning))).every((running) => !running),
          'every process the demo started to exit',
          demo.child,
          demo.output,
          { afterExit: true },
        );
        expect(await Promise.all(ports.map(portIsFree))).toEqual([true, true, true]);
        expect(demo.output()).toMatch(
          new RegExp(`${signal}: stopping the worker and the local stack\\.\\.\\.\\nStopped\\.`),
        );
        expect(await gitStatus()).toBe(statusBefore);
      } finally {
        await demo.cleanUp();
      }
    }, 240_000);
  }
});
