import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
