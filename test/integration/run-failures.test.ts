import { join } from 'node:path';
import type { temporal } from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeFailure } from '../../core/failure-summary';
import { exampleConfig } from '../support/example-config';
import { REPO_ROOT, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

// The processes namespace: these runs make no schedules, so they share it with processes.test.ts.
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness('processes');
  delete process.env['HIBOB_SERVICE_USER_TOKEN'];
});
afterAll(() => harness.close());

async function failedRun(
  syncId: string,
): Promise<{ handle: WorkflowHandle; history: temporal.api.history.v1.IHistory }> {
  const handle = await harness.client.workflow.start('syncRoster', {
    taskQueue: harness.taskQueue,
    workflowId: `${syncId}-failure-${Date.now()}`,
    args: [{ syncId }],
  });
  await handle.result().catch(() => undefined);
  expect((await handle.describe()).status.name).toBe('FAILED');
  return { handle, history: await handle.fetchHistory() };
}

const workflowFailureOf = (history: temporal.api.history.v1.IHistory) =>
  history.events?.find((event) => event.workflowExecutionFailedEventAttributes)?.workflowExecutionFailedEventAttributes
    ?.failure;

describe('what a failed run shows in Temporal', () => {
  it('a missing local source file fails extract on its first attempt, naming the path and source.path', async () => {
    const config = exampleConfig();
    config.syncs[0]!.source.path = 'data/not-dropped.csv';
    config.syncs[0]!.target.path = join(harness.dir, 'out', 'never.csv');
    await harness.writeConfig(config);
    const started = Date.now();
    const { history } = await failedRun('acme-people');
    // Well under the 5 s of the extract activity's first retry interval.
    expect(Date.now() - started).toBeLessThan(5_000);
    const attempts = history.events
      ?.filter((event) => event.activityTaskStartedEventAttributes)
      .map((event) => event.activityTaskStartedEventAttributes!.attempt);
    expect(attempts?.every((attempt) => attempt === 1)).toBe(true);
    const failure = workflowFailureOf(history);
    expect(failure?.message).toBe(
      `SourceUnavailable: csv source: no file at ${join(harness.dataDir, 'not-dropped.csv')} (source.path; a relative path is read from the config file's folder)`,
    );
    expect(failure?.applicationFailureInfo?.nonRetryable).toBe(true);
  });

  it("leads with the step's type and message, and names no absolute path of this machine", async () => {
    const config = exampleConfig();
    for (const sync of config.syncs) sync.target.path = join(harness.dir, 'out', `${sync.id}.csv`);
    await harness.writeConfig(config);
    const { history } = await failedRun('acme-hibob');
    const failure = workflowFailureOf(history);
    expect(failure?.message).toMatch(/^SecretUnavailable: source\.serviceUserToken: /);
    expect(failure?.applicationFailureInfo?.type).toBe('SecretUnavailable');
    // Not "Activity task failed" at the top; the step's own failure below it, without a stack.
    expect(failure?.message).not.toContain('Activity task failed');
    const chain: temporal.api.failure.v1.IFailure[] = [];
    for (let current = failure; current; current = current.cause ?? undefined) chain.push(current);
    expect(chain.map((link) => link.stackTrace ?? '')).toEqual(chain.map(() => ''));
    expect(JSON.stringify(failure)).not.toContain(REPO_ROOT);
    // The CLI reads the same failure: its summary names the type once.
    expect(
      summarizeFailure(ApplicationFailure.create({ type: 'SecretUnavailable', message: failure!.message! })),
    ).toEqual({ type: 'SecretUnavailable', message: failure!.message!.slice('SecretUnavailable: '.length) });
  });
});
