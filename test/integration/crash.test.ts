import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SyncRosterResult, syncRoster } from '../../workflows/sync-roster';
import { STAFFBASE_TOKEN, StaffbaseFake } from '../fakes/staffbase/server';
import { exampleConfig } from '../support/example-config';
import { REPO_ROOT, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

let harness: Harness;
let staffbase: StaffbaseFake;
const taskQueue = `crash-${Date.now()}`;

/** A real worker process (worker/main.ts) serving `taskQueue`, to be killed with SIGKILL. */
async function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['worker/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: harness.temporalAddress,
      TEMPORAL_NAMESPACE: harness.namespace,
      MONGODB_URI: harness.mongoUri,
      ROSTERFLOW_DB: harness.dbName,
      ROSTERFLOW_TASK_QUEUE: taskQueue,
      ROSTERFLOW_CONFIG: harness.configPath,
      ROSTERFLOW_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      STAFFBASE_TEST_TOKEN: STAFFBASE_TOKEN,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(
    () => output.includes('rosterflow worker: task queue'),
    'the worker to start',
    () => output,
  );
  return child;
}

async function waitFor(check: () => boolean, what: string, detail: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  staffbase = await StaffbaseFake.start({ autoAdvanceOnPoll: false });
  harness = await startHarness('crash');
  const config = exampleConfig();
  config.syncs = [
    {
      id: 'acme-staffbase',
      source: config.syncs[0]!.source,
      target: {
        type: 'staffbase',
        baseUrl: staffbase.baseUrl,
        apiToken: { env: 'STAFFBASE_TEST_TOKEN' },
        polling: { initialInterval: '3s', maxInterval: '3s', timeout: '5m' },
      } as never,
    },
  ];
  await harness.writeConfig(config);
});
afterAll(async () => {
  await harness.close();
  await staffbase.close();
});

describe('a worker killed with SIGKILL', () => {
  it('mid-poll: a new worker carries on with the same Staffbase import, never creating a second', async () => {
    const first = await startWorkerProcess();
    const handle = await harness.client.workflow.start<typeof syncRoster>('syncRoster', {
      taskQueue,
      workflowId: `crash-mid-poll-${Date.now()}`,
      args: [{ syncId: 'acme-staffbase' }],
    });
    // The import is waiting for its preview and the workflow is between polls on a durable timer.
    const polls = () =>
      staffbase.http.requestsTo(/\/users\/imports\/[^/]+$/).filter((request) => request.method === 'GET').length;
    await waitFor(
      () => [...staffbase.imports.values()].some((found) => found.state === 'PREVIEW_PENDING') && polls() >= 2,
      'polling',
    );
    first.kill('SIGKILL');
    await once(first, 'exit');

    staffbase.settle();
    staffbase.autoAdvanceOnPoll = true;
    const second = await startWorkerProcess();
    try {
      const result: SyncRosterResult = await handle.result();
      expect(result.delivered?.target).toBe('staffbase');
      expect(staffbase.importsCreated).toBe(1);
      expect([...staffbase.imports.values()][0]!.stateLog.at(-1)).toBe('COMPLETED');
      const run = await harness.store.runs.get(result.runId);
      expect(run).toMatchObject({ status: 'succeeded', delivery: { remoteId: [...staffbase.imports.keys()][0] } });
    } finally {
      second.kill('SIGTERM');
      await once(second, 'exit');
    }
  }, 180_000);
});
