import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { MongoClient } from 'mongodb';
import { CLOSING_SEQ, HEADER_SEQ } from '../../store/render-segments';
import { Hash64Set, hash64 } from '../../core/hash64';
import { ArtifactPageStore } from '../../store/artifact-pages';
import { openStore } from '../../store/store';
import type { Store } from '../../store/store';

let store: Store;
let dbName: string;
beforeAll(async () => {
  dbName = `rosterflow_test_runs_${randomUUID().slice(0, 8)}`;
  store = await openStore(inject('mongoUri'), dbName);
});
afterAll(() => store.close());

const start = (runId: string, syncId: string, startedAt: Date) =>
  store.runs.start({ runId, workflowId: `wf-${runId}`, syncId, trigger: 'manual', dryRun: false, startedAt });

describe('run store on the real MongoDB-compatible server', () => {
  it("keeps a per-person target's plan, outcomes and ledger by appending, and reads each person's state back", async () => {
    const items = Array.from({ length: 250 }, (_, at) => ({
      seq: at + 1,
      key: `p${at + 1}`,
      action: 'create' as const,
      state: 'pending' as const,
      // A SCIM resource's keys have dots (the enterprise URN): kept as text.
      payload: { resource: { 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D' } } },
    }));
    const refused = {
      seq: 251,
      key: 'p251',
      action: 'unchanged' as const,
      state: 'failed' as const,
      outcome: 'failed' as const,
      error: { message: 'the app has 2 users with this externalId, so none of them was changed' },
    };
    await store.deliveryItems.replacePlan('run-items', [...items, refused]);
    const [first] = (await store.deliveryItems.standing('run-items')).unsettled;
    expect(first?.payload).toEqual(items[0]!.payload);
    const inFlight = (await store.deliveryItems.standing('run-items', [1, 2, 3])).unsettled;
    expect(inFlight.map((item) => item.state).slice(0, 4)).toEqual(['sending', 'sending', 'sending', 'pending']);
    expect(inFlight).toHaveLength(250);
    for (let start = 0; start < 250; start += 100) {
      await store.deliveryItems.settle(
        'run-items',
        items.slice(start, start + 100).map((item) => ({
          seq: item.seq,
          state: 'done' as const,
          outcome: 'created' as const,
          remoteId: `id-${item.seq}`,
        })),
        { activityId: '7', attempt: 2 },
      );
    }
    // An attempt Temporal gave up on, landing its outcome late: the later attempt's stands, counted once.
    await store.deliveryItems.settle(
      'run-items',
      [{ seq: 249, state: 'failed', outcome: 'failed', error: { message: 'stale' } }],
      { activityId: '7', attempt: 1 },
    );
    // A later activity settling one again: its outcome stands.
    await store.deliveryItems.settle(
      'run-items',
      [{ seq: 250, state: 'failed', outcome: 'failed', error: { message: 'refused' } }],
      { activityId: '9', attempt: 1 },
    );
    expect((await store.deliveryItems.standing('run-items')).unsettled).toEqual([]);
    const { counts, failures } = await store.deliveryItems.summary('run-items', 10);
    expect(counts).toEqual({ created: 249, failed: 2 });
    expect(failures.map((failure) => failure.key)).toEqual(['p250', 'p251']);
    const ids = (await store.deliveryItems.standing('run-items')).remoteIds;
    expect(ids.size).toBe(249);
    await store.managedAccounts.record('sync app', ids);
    // Recorded again with one account re-created under a new id, and one new: the rest stay as they were.
    await store.managedAccounts.record(
      'sync app',
      new Map([
        ['p1', 'id-1'],
        ['p2', 'id-2-new'],
        ['p300', 'id-300'],
      ]),
    );
    const ledger = await store.managedAccounts.load('sync app');
    expect(ledger.size).toBe(250);
    expect([ledger.get('p1'), ledger.get('p2'), ledger.get('p249'), ledger.get('p300')]).toEqual([
      'id-1',
      'id-2-new',
      'id-249',
      'id-300',
    ]);
  });

  it('fences a checkpoint against earlier attempts and against activities scheduled before the writer', async () => {
    const put = (activityId: string, attempt: number) =>
      store.checkpoints.put('run-fence', 'deliver', { by: `${activityId}/${attempt}` }, { activityId, attempt });
    await put('3', 1);
    await put('3', 2);
    await expect(put('3', 1)).rejects.toThrow(/a later attempt of this step has taken over/);
    // A step activity called again after a wait is a new activity: the one before it, still running, stops.
    await put('5', 1);
    await expect(put('3', 4)).rejects.toThrow(/a later attempt of this step has taken over/);
    expect((await store.checkpoints.get('run-fence', 'deliver'))?.data).toEqual({ by: '5/1' });
  });

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

  it('keeps one checkpoint per run and step, replaced by each write and deleted with the run', async () => {
    expect(await store.checkpoints.get('run-f', 'extract')).toBeUndefined();
    await store.checkpoints.put('run-f', 'extract', { seq: 1 }, { activityId: 'a', attempt: 1 });
    await store.checkpoints.put('run-f', 'extract', { seq: 2 }, { activityId: 'a', attempt: 2 });
    // Attempt 1, cut off but still running, can no longer move the checkpoint of attempt 2.
    await expect(
      store.checkpoints.put('run-f', 'extract', { seq: 9 }, { activityId: 'a', attempt: 1 }),
    ).rejects.toThrow('a later attempt of this step has taken over');
    // Another activity of the same step (a later call, attempts counted afresh) can.
    await store.checkpoints.put('run-f', 'deliver', { n: 1 }, { activityId: 'a', attempt: 3 });
    await store.checkpoints.put('run-f', 'deliver', { n: 2 }, { activityId: 'b', attempt: 1 });
    expect(await store.checkpoints.get('run-f', 'deliver')).toEqual({ data: { n: 2 }, attempt: 1 });
    await store.checkpoints.put('run-f', 'render', { nextSeq: 0 }, { activityId: 'c', attempt: 1 });
    expect(await store.checkpoints.get('run-f', 'extract')).toEqual({ data: { seq: 2 }, attempt: 2 });
    await store.checkpoints.deleteRun('run-f');
    expect(await store.checkpoints.get('run-f', 'render')).toBeUndefined();
  });

  it('splits a render segment over several documents and reads every file back in order', async () => {
    // 9 MB: three parts, each well under the 16 MB document limit.
    const big = Buffer.alloc(9 * 1024 * 1024, 'x');
    await store.renderSegments.put('run-g', HEADER_SEQ, [Buffer.from('h1\n'), Buffer.from('h2\n')], 1);
    await store.renderSegments.put('run-g', 1, [Buffer.from('b\n'), Buffer.from('')], 1);
    await store.renderSegments.put('run-g', 0, [big, Buffer.from('a\n')], 1);
    await store.renderSegments.put('run-g', CLOSING_SEQ, [Buffer.from('z\n'), Buffer.from('')], 1);
    const read = async (file: number) => {
      const chunks: Buffer[] = [];
      for await (const chunk of store.renderSegments.read('run-g', file)) chunks.push(chunk);
      return Buffer.concat(chunks);
    };
    expect((await read(0)).equals(Buffer.concat([Buffer.from('h1\n'), big, Buffer.from('b\nz\n')]))).toBe(true);
    expect((await read(1)).toString()).toBe('h2\na\n');

    // A resumed attempt discards from its checkpoint and rewrites: none of the old parts remain.
    await store.renderSegments.discardFrom('run-g', 0);
    await store.renderSegments.put('run-g', 0, [Buffer.from('small\n'), Buffer.from('a\n')], 2);
    await store.renderSegments.put('run-g', 1, [Buffer.from('b\n'), Buffer.from('')], 2);
    await store.renderSegments.put('run-g', CLOSING_SEQ, [Buffer.from('z\n'), Buffer.from('')], 2);
    expect((await read(0)).toString()).toBe('h1\nsmall\nb\nz\n');

    // Kept segments before a checkpoint, with their digest and writer; later ones discarded.
    const kept = await store.renderSegments.kept('run-g', 1);
    expect([...kept.keys()].sort()).toEqual(['-1:0', '-1:1', '0:0', '0:1']);
    expect(kept.get('0:0')!.attempt).toBe(2);
    await store.renderSegments.discardFrom('run-g', 1);
    expect((await read(0)).toString()).toBe('h1\nsmall\n');
    await store.renderSegments.deleteRun('run-g');
    expect((await read(0)).length).toBe(0);
  });

  it("counts who is missing from a sync's baseline, and refuses a baseline that changed while it was read", async () => {
    const write = async (runId: string, ids: string[]) => {
      const writer = await store.snapshots.openWriter('sync-s', runId);
      for (const id of ids) await writer.add(hash64(id));
      return writer.close();
    };
    const employed = (ids: string[]) => {
      const set = new Hash64Set();
      for (const id of ids) set.add(hash64(id));
      return set;
    };
    expect(await write('run-s1', ['1', '2', '3', '4', '5'])).toBe(5);
    expect(await store.snapshots.countIds('run-s1')).toBe(5);
    const baseline = { runId: 'run-s1', active: 5 };
    expect(await store.snapshots.countMissing(baseline, employed(['1', '2', '3', '6']))).toBe(2);
    // A baseline written before hashing holds the ids themselves: it still counts.
    const client = await MongoClient.connect(inject('mongoUri'));
    await client
      .db(dbName)
      .collection('snapshot_chunks')
      .insertOne({
        _id: 'run-s0:0:0' as never,
        syncId: 'sync-s',
        runId: 'run-s0',
        bucket: 0,
        seq: 0,
        ids: ['1', '7', '8'],
        createdAt: new Date(),
      });
    await client.close();
    expect(await store.snapshots.countIds('run-s0')).toBe(3);
    expect(await store.snapshots.countMissing({ runId: 'run-s0', active: 3 }, employed(['1', '8']))).toBe(1);
    // Another run of the sync committed meanwhile and deleted this baseline: not "nobody left".
    await store.snapshots.discard('run-s1');
    await expect(store.snapshots.countMissing(baseline, employed(['1']))).rejects.toThrow(
      "the sync's last-delivery baseline changed while it was read (0 of 5 ids)",
    );
  });

  it("keeps a run's artifact pages in file order, split by size, read from any byte, resumable at a page", async () => {
    const pages = store.artifactPages;
    const big = Buffer.alloc(5 * 1024 * 1024, 'x');
    const readAll = async (file: number, start = 0) => {
      const chunks: Buffer[] = [];
      for await (const chunk of store.artifacts.openReader(ArtifactPageStore.artifactId('run-p', file), start))
        chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    };
    await pages.putHeader('run-p', [Buffer.from('h0\n'), Buffer.from('h1\n')], 1);
    await pages.putPage('run-p', 0, [{ files: [big, Buffer.from('a\n')], uniques: [[[1n, 2n]], []] }], 1);
    await pages.putPage('run-p', 1, [{ files: [Buffer.from('b\n'), Buffer.from('')], uniques: [[[3n]], []] }], 1);
    await pages.putClosing('run-p', [Buffer.from('z\n'), Buffer.from('c\n')], 1);
    // Page 0's 5 MB went into two documents; file 0 still reads back whole and in order.
    expect((await readAll(0)).equals(Buffer.concat([Buffer.from('h0\n'), big, Buffer.from('b\nz\n')]))).toBe(true);
    expect((await readAll(1)).toString()).toBe('h1\na\nc\n');
    // From a byte inside page 0's second document, and from exactly a document boundary.
    const offset = 3 + 4 * 1024 * 1024;
    expect((await readAll(0, offset)).length).toBe(3 + big.length + 4 - offset);
    expect((await readAll(1, 3)).toString()).toBe('a\nc\n');
    // A resumed build keeps the pages before its checkpoint (with their unique hashes) and rewrites the rest.
    const kept = [];
    for await (const part of pages.kept('run-p', 1, 2)) kept.push(part);
    expect(kept.map((part) => part.files[1]!.toString()).join('')).toBe('a\n');
    expect(kept.flatMap((part) => part.uniques[0]!.flatMap((hashes) => [...hashes]))).toEqual([1n, 2n]);
    // Discarding from page 1 drops it and the closing rows (the resumed build writes both again).
    await pages.discardFrom('run-p', 1, 1);
    expect((await readAll(1)).toString()).toBe('h1\na\n');
    expect((await readAll(0)).length).toBe(3 + big.length);
    await pages.drop('run-p');
    expect((await readAll(0)).length).toBe(0);
  });

  it("never lets a superseded build attempt's late write replace a newer attempt's page or chunk", async () => {
    const pages = store.artifactPages;
    const file = async () => (await store.artifacts.read(ArtifactPageStore.artifactId('run-late', 0))).toString();
    const page = (text: string) => [{ files: [Buffer.from(text)], uniques: [[]] }];
    await pages.putPage('run-late', 0, page('newer\n'), 2);
    // Attempt 1, cut off from Temporal but still running, lands the same page after attempt 2 wrote it.
    await pages.putPage('run-late', 0, page('older\n'), 1);
    expect(await file()).toBe('newer\n');
    // A later attempt (and the same one, idempotently) still replaces it.
    await pages.putPage('run-late', 0, page('latest\n'), 3);
    await pages.putPage('run-late', 0, page('latest\n'), 3);
    expect(await file()).toBe('latest\n');

    // A page attempt 1 stored in two documents (over 4 MB), which attempt 2 stores in one: the file
    // has attempt 2's page only, whichever landed first.
    const big = Buffer.alloc(5 * 1024 * 1024, 'o');
    await pages.putPage('run-late', 1, [{ files: [big], uniques: [[]] }], 1);
    await pages.putPage('run-late', 1, page('small\n'), 4);
    expect(await file()).toBe('latest\nsmall\n');
    await pages.putPage('run-late', 1, [{ files: [big], uniques: [[]] }], 1);
    expect(await file()).toBe('latest\nsmall\n');
    const kept = [];
    for await (const part of pages.kept('run-late', 2, 1)) kept.push(part.files[0]!.toString());
    expect(kept).toEqual(['latest\n', 'small\n']);
    // Attempt 3 (superseded by 4) discarding from page 1 leaves attempt 4's page.
    await pages.discardFrom('run-late', 1, 3);
    expect(await file()).toBe('latest\nsmall\n');

    await store.snapshots.putPage('sync-late', 'run-late', 0, [7n], 2);
    await store.snapshots.putPage('sync-late', 'run-late', 0, [8n, 9n], 1);
    const hashes: bigint[] = [];
    for await (const chunk of store.snapshots.hashesOf('run-late')) hashes.push(...chunk);
    expect(hashes).toEqual([7n]);
    await pages.drop('run-late');
    await store.snapshots.discard('run-late');
  });

  it('counts a planned snapshot from its chunks without their hashes, and prunes those never delivered, never the current one', async () => {
    const snapshots = store.snapshots;
    await snapshots.putPage('sync-p', 'run-delivered-p', 0, [1n, 2n, 3n], 1);
    await snapshots.putPage('sync-p', 'run-delivered-p', 1, [4n], 1);
    await snapshots.putPage('sync-p', 'run-failed-p', 0, [5n, 6n], 1);
    expect(await snapshots.countIds('run-delivered-p')).toBe(4);
    await snapshots.commit({
      syncId: 'sync-p',
      runId: 'run-delivered-p',
      pulled: 4,
      active: 4,
      deliveredAt: new Date(),
    });
    await snapshots.putPage('sync-p', 'run-held-p', 0, [7n], 1);
    const open = (runId: string) => Promise.resolve(runId === 'run-held-p');
    // Only chunks older than the cutoff go: the failed run's were written just now.
    await snapshots.pruneOlderThan(new Date(Date.now() - 60_000), open);
    expect(await snapshots.countIds('run-failed-p')).toBe(2);
    await snapshots.pruneOlderThan(new Date(Date.now() + 60_000), open);
    expect(await snapshots.countIds('run-failed-p')).toBe(0);
    expect(await snapshots.countIds('run-delivered-p')).toBe(4);
    // A run still open (held for approval) keeps its planned snapshot, however old.
    expect(await snapshots.countIds('run-held-p')).toBe(1);
  });

  it('prunes the pages of builds that never finished, once old, and keeps every artifact', async () => {
    const pages = store.artifactPages;
    for (const runId of ['run-abandoned', 'run-delivered', 'run-fresh']) {
      await pages.putHeader(runId, [Buffer.from('h\n')], 1);
      await pages.putPage(runId, 0, [{ files: [Buffer.from('a\n')], uniques: [[]] }], 1);
    }
    const keep = (runId: string) => Promise.resolve(runId === 'run-delivered');
    // Only pages older than the cutoff count: run-fresh was written just now.
    expect(await pages.pruneAbandoned(new Date(Date.now() - 60_000), keep)).toBe(0);
    expect(await pages.pruneAbandoned(new Date(Date.now() + 60_000), keep)).toBe(2);
    const read = async (runId: string) => {
      const chunks: Buffer[] = [];
      for await (const chunk of pages.read(runId, 0)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString();
    };
    expect(await read('run-delivered')).toBe('h\na\n');
    expect(await read('run-abandoned')).toBe('');
    expect(await read('run-fresh')).toBe('');
  });
  // Last in this file: it prunes everything of this database older than the cutoff.
  it("prunes a run's planned snapshot once it can no longer deliver: kept while its hold waits, not when it failed", async () => {
    const startedAt = new Date();
    for (const runId of ['run-held-q', 'run-expired-q', 'run-approved-q', 'run-failed-q']) {
      await start(runId, 'sync-q', startedAt);
      await store.snapshots.putPage('sync-q', runId, 0, [1n, 2n], 1);
    }
    const hold = (expiresAt: Date) => ({
      reasons: ['too many leavers'],
      since: startedAt,
      expiresAt,
      source: 'plan' as const,
    });
    await store.runs.hold('run-held-q', hold(new Date(Date.now() + 3_600_000)));
    await store.runs.hold('run-expired-q', hold(new Date(Date.now() - 1_000)));
    await store.runs.hold('run-approved-q', hold(new Date(Date.now() + 3_600_000)));
    await store.runs.endHold('run-approved-q', {
      decision: { approve: true, by: 'hr', reason: 'checked', at: new Date() },
    });
    await store.runs.finish('run-failed-q', 'failed');
    await store.pruneRunData(new Date(Date.now() + 60_000));
    expect(await store.snapshots.countIds('run-held-q')).toBe(2);
    expect(await store.snapshots.countIds('run-expired-q')).toBe(0);
    // Approved and delivering: its commit is still to come.
    expect(await store.snapshots.countIds('run-approved-q')).toBe(2);
    expect(await store.snapshots.countIds('run-failed-q')).toBe(0);
  });
});
