import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncRosterResult } from '../../workflows/sync-roster';
import { exampleConfig } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

let harness: Harness;
const saved = { staffbase: process.env['STAFFBASE_API_TOKEN'], hibob: process.env['HIBOB_SERVICE_USER_TOKEN'] };

beforeAll(async () => {
  // The harness's worker runs in this process: its environment is the worker's.
  delete process.env['STAFFBASE_API_TOKEN'];
  delete process.env['HIBOB_SERVICE_USER_TOKEN'];
  harness = await startHarness('config');
  const [people, hibob] = exampleConfig().syncs;
  await harness.writeConfig({
    version: 1,
    syncs: [
      hibob,
      {
        id: 'acme-staffbase',
        source: people!.source,
        // Nothing listens here: a run that got as far as delivery would fail differently.
        target: { type: 'staffbase', baseUrl: 'http://127.0.0.1:9/api', apiToken: { env: 'STAFFBASE_API_TOKEN' } },
      },
    ],
  });
});
afterAll(async () => {
  await harness.close();
  for (const [name, value] of [
    ['STAFFBASE_API_TOKEN', saved.staffbase],
    ['HIBOB_SERVICE_USER_TOKEN', saved.hibob],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

async function run(syncId: string, dryRun: boolean) {
  const handle = await harness.client.workflow.start('syncRoster', {
    taskQueue: harness.taskQueue,
    workflowId: `test-config-${syncId}-${Math.random().toString(36).slice(2)}`,
    args: [{ syncId, dryRun }],
  });
  const outcome = await handle.result().then(
    (result) => ({ result: result as SyncRosterResult }),
    (error: unknown) => ({ error }),
  );
  return { outcome, record: await harness.store.runs.get(handle.firstExecutionRunId) };
}

function applicationFailure(error: unknown): ApplicationFailure {
  expect(error).toBeInstanceOf(WorkflowFailedError);
  let cause = (error as WorkflowFailedError).cause;
  while (cause && !(cause instanceof ApplicationFailure)) cause = (cause as { cause?: Error }).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('secrets are checked at resolve', () => {
  for (const dryRun of [false, true]) {
    it(`a ${dryRun ? 'dry run' : 'run'} without the target's secret fails at resolve, before extract, at once`, async () => {
      const { outcome, record } = await run('acme-staffbase', dryRun);
      expect('error' in outcome).toBe(true);
      const failure = applicationFailure((outcome as { error: unknown }).error);
      expect(failure.type).toBe('SecretUnavailable');
      // The workflow's own failure, as the Web UI shows it, leads with the type.
      expect(failure.message).toBe('SecretUnavailable: target.apiToken: set STAFFBASE_API_TOKEN where the worker runs');
      expect(failure.nonRetryable).toBe(true);
      expect(Object.keys(record!.steps)).toEqual(['resolve']);
      expect(record!.steps.resolve).toMatchObject({ status: 'failed', attempt: 1 });
      expect(record!.error).toEqual({
        type: 'SecretUnavailable',
        message: 'target.apiToken: set STAFFBASE_API_TOKEN where the worker runs',
      });
    });
  }

  it("names a source's secret the same way", async () => {
    const { outcome, record } = await run('acme-hibob', true);
    const failure = applicationFailure((outcome as { error: unknown }).error);
    expect(failure.message).toBe(
      'SecretUnavailable: source.serviceUserToken: set HIBOB_SERVICE_USER_TOKEN where the worker runs',
    );
    expect(Object.keys(record!.steps)).toEqual(['resolve']);
  });

  it('lets the run go on once the secret is set where the worker runs', async () => {
    process.env['STAFFBASE_API_TOKEN'] = 'a-token-for-the-test';
    try {
      const { outcome, record } = await run('acme-staffbase', true);
      expect(outcome).toMatchObject({ result: { syncId: 'acme-staffbase', dryRun: true, pulled: 10 } });
      expect(record!.steps.resolve).toMatchObject({ status: 'succeeded' });
      expect(JSON.stringify(record)).not.toContain('a-token-for-the-test');
    } finally {
      delete process.env['STAFFBASE_API_TOKEN'];
    }
  });
});
