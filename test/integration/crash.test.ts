import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SyncRosterResult, syncRoster } from '../../workflows/sync-roster';
import { ALLUDO_SFTP_PASSWORD, ALLUDO_SFTP_USER, AlludoSftpFake } from '../fakes/alludo/server';
import { STAFFBASE_TOKEN, StaffbaseFake } from '../fakes/staffbase/server';
import { exampleConfig } from '../support/example-config';
import { REPO_ROOT, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

let harness: Harness;
let staffbase: StaffbaseFake;
let alludo: AlludoSftpFake;
const taskQueue = `crash-${Date.now()}`;

/** A real worker process (worker/main.ts) serving `taskQueue`, to be killed with SIGKILL. */
async function startWorkerProcess(): Promise<ChildProcess> {
  // node itself, not the tsx launcher: SIGKILL must hit the worker, not a parent that leaves it running.
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
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
      ALLUDO_TEST_PASSWORD: ALLUDO_SFTP_PASSWORD,
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
  alludo = await AlludoSftpFake.start();
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
    {
      id: 'acme-oneroster',
      source: config.syncs[0]!.source,
      target: {
        type: 'oneroster-sftp',
        profile: 'alludo',
        orgsFrom: 'department',
        sftp: {
          host: alludo.host,
          port: alludo.port,
          username: ALLUDO_SFTP_USER,
          password: { env: 'ALLUDO_TEST_PASSWORD' },
          hostKeySha256: alludo.hostKeySha256,
        },
      } as never,
    },
  ];
  await harness.writeConfig(config);
});
afterAll(async () => {
  await harness.close();
  await staffbase.close();
  await alludo.close();
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

  it('mid-upload: the receiver never sees half a file, and a new worker finishes the same upload', async () => {
    const first = await startWorkerProcess();
    // A slow link: each chunk's acknowledgement takes 10 s, so the worker dies inside the upload.
    alludo.writeAckDelayMs = 10_000;
    const handle = await harness.client.workflow.start<typeof syncRoster>('syncRoster', {
      taskQueue,
      workflowId: `crash-mid-upload-${Date.now()}`,
      args: [{ syncId: 'acme-oneroster' }],
    });
    await waitFor(() => alludo.bytesWritten > 0, 'the upload to start');
    first.kill('SIGKILL');
    await once(first, 'exit');

    // Half-written data sits only under temporary names, which the receiver ignores.
    const tick = alludo.processTick();
    expect(alludo.listing().filter((name) => !name.startsWith('.'))).toEqual([]);
    expect(tick).toBeDefined();
    expect(alludo.users()).toEqual([]);

    alludo.writeAckDelayMs = 0;
    const second = await startWorkerProcess();
    try {
      const result: SyncRosterResult = await handle.result();
      const run = await harness.store.runs.get(result.runId);
      expect(run).toMatchObject({ status: 'succeeded' });
      expect(run!.steps.deliver!.attempt).toBe(2);
      for (const artifact of run!.artifacts!) {
        expect(alludo.file(artifact.fileName)).toBe((await harness.store.artifacts.read(artifact.id)).toString('utf8'));
      }
      expect(alludo.listing().filter((name) => name.includes('.part'))).toEqual([]);
      alludo.processTick();
      expect(alludo.errors()).toEqual([]);
      expect(alludo.users()).toHaveLength(10);
    } finally {
      second.kill('SIGTERM');
      await once(second, 'exit');
    }
  }, 240_000);
});
