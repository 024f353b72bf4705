import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncRosterResult, syncRoster } from '../../workflows/sync-roster';
import { ALLUDO_SFTP_PASSWORD, AlludoSftpFake } from '../fakes/oneroster-sftp/server';
import { STAFFBASE_TOKEN, StaffbaseFake } from '../fakes/staffbase/server';
import { exampleConfig } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { startWorkerProcess, waitFor } from '../support/worker-process';

let harness: Harness;
let staffbase: StaffbaseFake;
let alludo: AlludoSftpFake;
const taskQueue = `crash-${Date.now()}`;

const secrets = { STAFFBASE_TEST_TOKEN: STAFFBASE_TOKEN, ALLUDO_TEST_PASSWORD: ALLUDO_SFTP_PASSWORD };
const startWorker = () => startWorkerProcess(harness, taskQueue, secrets);

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
      target: alludo.targetConfig() as never,
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
    const first = await startWorker();
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
    await first.kill('SIGKILL');

    staffbase.settle();
    staffbase.autoAdvanceOnPoll = true;
    const second = await startWorker();
    try {
      const result: SyncRosterResult = await handle.result();
      expect(result.delivered?.target).toBe('staffbase');
      expect(staffbase.importsCreated).toBe(1);
      expect([...staffbase.imports.values()][0]!.stateLog.at(-1)).toBe('COMPLETED');
      const run = await harness.store.runs.get(result.runId);
      expect(run).toMatchObject({ status: 'succeeded', delivery: { remoteId: [...staffbase.imports.keys()][0] } });
    } finally {
      await second.kill('SIGTERM');
    }
  }, 180_000);

  it('mid-upload: the receiver never sees half a file, and a new worker finishes the same upload', async () => {
    const first = await startWorker();
    // A slow link: each chunk's acknowledgement takes 3 s, so the worker dies inside the upload.
    alludo.writeAckDelayMs = 3_000;
    const handle = await harness.client.workflow.start<typeof syncRoster>('syncRoster', {
      taskQueue,
      workflowId: `crash-mid-upload-${Date.now()}`,
      args: [{ syncId: 'acme-oneroster' }],
    });
    // Killed once the first file is acknowledged and that progress is kept in MongoDB.
    await waitFor(async () => {
      const saved = await harness.store.checkpoints.get<{ progress: { fileIndex: number } }>(
        handle.firstExecutionRunId,
        'deliver',
      );
      return (saved?.data.progress.fileIndex ?? 0) >= 1;
    }, 'the first file to be acknowledged and checkpointed');
    await first.kill('SIGKILL');

    // Half-written data sits only under temporary names, which the receiver ignores.
    const tick = alludo.processTick();
    expect(alludo.listing().filter((name) => !name.startsWith('.'))).toEqual([]);
    expect(tick).toBeDefined();
    expect(alludo.users()).toEqual([]);

    alludo.writeAckDelayMs = 0;
    const second = await startWorker();
    try {
      const result: SyncRosterResult = await handle.result();
      const run = await harness.store.runs.get(result.runId);
      expect(run).toMatchObject({ status: 'succeeded' });
      expect(run!.steps.deliver!.attempt).toBe(2);
      // The second attempt started from the first one's checkpoint (kept in MongoDB), not from byte 0.
      const resumed = run!.events?.find((event) => event.step === 'deliver' && event.kind === 'resumed');
      expect(resumed?.detail).toMatch(/^upload resumed at file \d+, byte \d+/);
      expect(resumed?.detail).not.toMatch(/^upload resumed at file 1, byte 0;/);
      for (const artifact of run!.artifacts!) {
        expect(alludo.file(artifact.fileName)).toBe((await harness.store.artifacts.read(artifact.id)).toString('utf8'));
      }
      expect(alludo.listing().filter((name) => name.includes('.part'))).toEqual([]);
      alludo.processTick();
      expect(alludo.errors()).toEqual([]);
      expect(alludo.users()).toHaveLength(10);
    } finally {
      await second.kill('SIGTERM');
    }
  }, 240_000);
});
