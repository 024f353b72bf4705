import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleConfig } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { startWorkerProcess, waitFor } from '../support/worker-process';
import type { WorkerProcess } from '../support/worker-process';
import { join } from 'node:path';

// The processes namespace: nothing here makes schedules.
let harness: Harness;
let worker: WorkerProcess;
const taskQueue = `worker-log-${Date.now()}`;
beforeAll(async () => {
  harness = await startHarness('processes');
  const config = exampleConfig();
  for (const sync of config.syncs) sync.target.path = join(harness.dir, 'out', `${sync.id}.csv`);
  await harness.writeConfig(config);
  // No HiBob token where the worker runs: every run of acme-hibob fails as SecretUnavailable.
  worker = await startWorkerProcess(harness, taskQueue, { HIBOB_SERVICE_USER_TOKEN: '' });
});
afterAll(async () => {
  await worker?.kill('SIGTERM');
  await harness.close();
});

describe("the worker's log", () => {
  it('shows an expected activity failure as one line: step, attempt, type and message; no stack, no task token', async () => {
    const before = worker.output().length;
    const handle = await harness.client.workflow.start('syncRoster', {
      taskQueue,
      workflowId: `worker-log-${Date.now()}`,
      args: [{ syncId: 'acme-hibob' }],
    });
    await handle.result().catch(() => undefined);
    await waitFor(
      () => worker.output().includes('SecretUnavailable'),
      'the failure in the log',
      () => worker.output(),
    );
    // The worker writes its line as the activity fails, before the workflow result arrives; a moment more for stragglers.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const lines = worker.output().slice(before).trimEnd().split('\n');
    const failures = lines.filter((line) => line.includes('SecretUnavailable'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(
      new RegExp(
        `^\\S+Z WARN  \\w+ attempt 1 failed: SecretUnavailable: source\\.serviceUserToken: .+ \\(workflow ${handle.workflowId}\\)$`,
      ),
    );
    expect(lines.join('\n')).not.toContain('taskToken');
    expect(lines.join('\n')).not.toMatch(/^\s+at /m);
  });
});
