import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { openStore } from '../../store/store';
import type { Store } from '../../store/store';

let store: Store;
beforeAll(async () => {
  store = await openStore(inject('mongoUri'), `rosterflow_test_runs_${randomUUID().slice(0, 8)}`);
});
afterAll(() => store.close());

const start = (runId: string, syncId: string, startedAt: Date) =>
  store.runs.start({ runId, workflowId: `wf-${runId}`, syncId, trigger: 'manual', dryRun: false, startedAt });

describe('run store on the real MongoDB-compatible server', () => {
  it('creates a run record once, however often the start is retried', async () => {
    await start('run-a', 'sync-1', new Date('2026-01-01T00:00:00Z'));
    await store.runs.setCounts('run-a', { pulled: 3 });
    await start('run-a', 'sync-1', new Date('2026-01-01T00:00:00Z'));
    const run = await store.runs.get('run-a');
    expect(run).toMatchObject({ status: 'running', counts: { pulled: 3 }, rejections: [], steps: {} });
  });

  it('keeps the step timeline in start order with durations and the latest attempt', async () => {
    await start('run-b', 'sync-1', new Date());
    const resolveStart = new Date();
    await store.runs.stepStarted('run-b', 'resolve', 1);
    await store.runs.stepFinished('run-b', 'resolve', resolveStart);
    await store.runs.stepStarted('run-b', 'extract', 1);
    await store.runs.stepFinished('run-b', 'extract', new Date(), 'boom');
    await store.runs.stepStarted('run-b', 'extract', 2);
    await store.runs.finish('run-b', 'failed', { type: 'SourceUnavailable', message: 'boom' });
    const run = await store.runs.get('run-b');
    expect(Object.keys(run!.steps)).toEqual(['resolve', 'extract']);
    expect(run!.steps.resolve).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(run!.steps.extract).toMatchObject({ status: 'running', attempt: 2 });
    expect(run).toMatchObject({ status: 'failed', error: { type: 'SourceUnavailable' } });
    expect(run!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('lists recent runs newest first, per sync', async () => {
    await start('run-c', 'sync-2', new Date('2026-03-01T00:00:00Z'));
    await start('run-d', 'sync-2', new Date('2026-03-02T00:00:00Z'));
    expect((await store.runs.recent({ syncId: 'sync-2', limit: 10 })).map((run) => run.runId)).toEqual([
      'run-d',
      'run-c',
    ]);
    expect((await store.runs.recent({ limit: 1 })).map((run) => run.runId)).toHaveLength(1);
  });

  it('stages pages idempotently and deletes them with the run', async () => {
    const employee = { sourceId: '1', status: 'active' as const };
    await store.staging.putPage('run-e', 0, [employee], '1');
    await store.staging.putPage('run-e', 1, [employee, employee], '3');
    await store.staging.putPage('run-e', 1, [employee], '2');
    const seen: number[] = [];
    for await (const page of store.staging.readPages('run-e')) seen.push(page.length);
    expect(seen).toEqual([1, 1]);
    await store.staging.discardFrom('run-e', 1);
    await store.staging.deleteRun('run-e');
    for await (const _page of store.staging.readPages('run-e')) expect.unreachable();
  });
});
