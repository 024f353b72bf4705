import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
) {
  const deadline = Date.now() + 90_000;
  while (!(await check())) {
    if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before ${what}:\n${output()}`);
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
