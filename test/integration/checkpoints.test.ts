import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncRosterResult, syncRoster } from '../../workflows/sync-roster';
import { ALLSTACKS_ORG_ID, ALLSTACKS_PASSWORD, ALLSTACKS_USERNAME, AllstacksFake } from '../fakes/allstacks/server';
import { ALLUDO_SFTP_PASSWORD, AlludoSftpFake } from '../fakes/oneroster-sftp/server';
import { PERSONIO_CLIENT_ID, PERSONIO_CLIENT_SECRET, PersonioFake } from '../fakes/personio/server';
import { exampleConfig } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { startWorkerProcess } from '../support/worker-process';
import { writeExport } from '../../bench/export';
import { SOURCE_COLUMNS } from '../../bench/targets';
import type { WorkerProcess } from '../support/worker-process';

/**
 * Kill points the crash tests of test/integration/crash.test.ts do not reach by timing alone: a real
 * worker process stops at a named failpoint (activities/failpoints.ts) and is SIGKILLed there; a
 * fresh worker process must finish the run from the checkpoints kept in MongoDB.
 */
let harness: Harness;
let personio: PersonioFake;
let allstacks: AllstacksFake;
let alludo: AlludoSftpFake;
const taskQueue = `checkpoints-${Date.now()}`;
const PAGE_SIZE = 10;
const PEOPLE = 50;
const EMPLOYEES_PATH = /\/v1\/company\/employees$/;
/** A CSV export whose pages the build gathers: handed over up to 500 rows at a time, stored 1,200 at a time. */
const GATHERED_ROWS = 3_000;
const GATHERED_PAGE_SIZE = 1_200;

const secrets = {
  PERSONIO_TEST_SECRET: PERSONIO_CLIENT_SECRET,
  ALLSTACKS_TEST_PASSWORD: ALLSTACKS_PASSWORD,
  ALLUDO_TEST_PASSWORD: ALLUDO_SFTP_PASSWORD,
};

beforeAll(async () => {
  personio = await PersonioFake.start({ listingRateLimit: undefined });
  personio.seed(PEOPLE);
  allstacks = await AllstacksFake.start();
  alludo = await AlludoSftpFake.start();
  Object.assign(process.env, secrets);
  harness = await startHarness('checkpoints');
  const config = exampleConfig();
  const csv = config.syncs[0]!;
  const personioSource = {
    type: 'personio',
    baseUrl: personio.baseUrl,
    clientId: PERSONIO_CLIENT_ID,
    clientSecret: { env: 'PERSONIO_TEST_SECRET' },
    pageSize: PAGE_SIZE,
  };
  config.syncs = [
    {
      id: 'personio-people',
      source: personioSource as never,
      target: { ...csv.target, path: '../out/personio-people.csv' },
      onRejectedRows: 'skip',
    },
    {
      id: 'acme-allstacks',
      source: csv.source,
      target: {
        type: 'allstacks',
        baseUrl: allstacks.baseUrl,
        organizationId: ALLSTACKS_ORG_ID,
        username: ALLSTACKS_USERNAME,
        password: { env: 'ALLSTACKS_TEST_PASSWORD' },
        uploadWindowSeconds: 0,
      } as never,
    },
    {
      id: 'acme-oneroster',
      source: csv.source,
      target: alludo.targetConfig() as never,
    },
    {
      id: 'gathered-oneroster',
      source: {
        type: 'csv',
        path: join(harness.dir, 'gathered-export.csv'),
        columns: SOURCE_COLUMNS,
        pageSize: GATHERED_PAGE_SIZE,
      },
      target: alludo.targetConfig() as never,
    },
  ];
  await writeExport(join(harness.dir, 'gathered-export.csv'), GATHERED_ROWS);
  await harness.writeConfig(config);
});
afterAll(async () => {
  await harness?.close();
  await personio?.close();
  await allstacks?.close();
  await alludo?.close();
});

const outputPath = () => join(harness.dir, 'out', 'personio-people.csv');

/** A run on the in-process worker, nobody killed: what every interrupted run must equal. */
async function uninterruptedRun(syncId: string): Promise<SyncRosterResult> {
  return harness.client.workflow.execute<typeof syncRoster>('syncRoster', {
    taskQueue: harness.taskQueue,
    workflowId: `${syncId}-reference-${Date.now()}`,
    args: [{ syncId }],
  });
}

/** Starts a run on a worker process armed with `failpoint`, SIGKILLs it there, and lets a fresh worker finish. */
async function runKilledAt(syncId: string, failpoint: string): Promise<SyncRosterResult> {
  const doomed = await startWorkerProcess(harness, taskQueue, { ...secrets, ROSTERFLOW_FAILPOINTS: failpoint });
  let rescuer: WorkerProcess | undefined;
  try {
    const handle = await harness.client.workflow.start<typeof syncRoster>('syncRoster', {
      taskQueue,
      workflowId: `${syncId}-killed-${Date.now()}`,
      args: [{ syncId }],
    });
    await doomed.waitForOutput(`rosterflow failpoint reached: ${failpoint}`, `the failpoint ${failpoint}`);
    await doomed.kill('SIGKILL');
    rescuer = await startWorkerProcess(harness, taskQueue, secrets);
    return await handle.result();
  } finally {
    await doomed.kill('SIGKILL');
    await rescuer?.kill('SIGTERM');
  }
}

describe('a worker killed at a checkpointed step', () => {
  it('mid-build: the source is read again only from the checkpoint, and the file is the uninterrupted one', async () => {
    await uninterruptedRun('personio-people');
    const expected = await readFile(outputPath());
    const before = personio.http.requestsTo(EMPLOYEES_PATH).length;

    const result = await runKilledAt('personio-people', 'build.after-page@2');

    expect(await readFile(outputPath())).toEqual(expected);
    // Pages 1 and 2 were built before the kill: every page is requested exactly once in all.
    const offsets = personio.http
      .requestsTo(EMPLOYEES_PATH)
      .slice(before)
      .map((request) => Number(request.query.get('offset')));
    expect(offsets).toEqual([0, 10, 20, 30, 40]);
    const run = await harness.store.runs.get(result.runId);
    expect(run).toMatchObject({ status: 'succeeded', counts: { pulled: PEOPLE } });
    expect(run!.steps.build!.attempt).toBe(2);
    expect(run!.events?.find((event) => event.step === 'build' && event.kind === 'resumed')?.detail).toContain(
      `2 pages (${2 * PAGE_SIZE} employees, 2 stored parts) already built are not read again`,
    );
  }, 180_000);

  it('later in the build: the pages kept before the checkpoint are not rendered again, and the artifact is byte-identical', async () => {
    const reference = await uninterruptedRun('personio-people');
    const expected = await readFile(outputPath());
    const before = personio.http.requestsTo(EMPLOYEES_PATH).length;

    const result = await runKilledAt('personio-people', 'build.after-page@3');

    expect(await readFile(outputPath())).toEqual(expected);
    expect(result.artifacts).toEqual(reference.artifacts);
    // Each page is read from the source once, in all.
    expect(personio.http.requestsTo(EMPLOYEES_PATH).length - before).toBe(PEOPLE / PAGE_SIZE);
    const run = await harness.store.runs.get(result.runId);
    expect(run).toMatchObject({ status: 'succeeded', counts: { pulled: PEOPLE, rendered: reference.rendered } });
    expect(run!.steps.build!.attempt).toBe(2);
    expect(run!.events?.find((event) => event.step === 'build' && event.kind === 'resumed')?.detail).toContain(
      `attempt 2 continued from the checkpoint of attempt 1: 3 pages (${3 * PAGE_SIZE} employees`,
    );
    // The run's checkpoints are gone once it ended.
    expect(await harness.store.checkpoints.get(result.runId, 'build')).toBeUndefined();
  }, 180_000);

  it('between "uploaded" and "recorded" (Allstacks): the file is not uploaded a second time', async () => {
    const before = allstacks.uploads.length;

    const result = await runKilledAt('acme-allstacks', 'deliver.after-allstacks-upload');

    expect(allstacks.uploads.length - before).toBe(1);
    const run = await harness.store.runs.get(result.runId);
    expect(run).toMatchObject({ status: 'succeeded', delivery: { target: 'allstacks' } });
    expect(run!.steps.deliver!.attempt).toBe(2);
    expect(run!.events?.find((event) => event.step === 'deliver' && event.kind === 'resumed')?.detail).toContain(
      'had already uploaded this file',
    );
  }, 180_000);

  it('between "uploaded" and "recorded" (SFTP): the renamed package is not sent again', async () => {
    const result = await runKilledAt('acme-oneroster', 'deliver.after-upload');
    const run = await harness.store.runs.get(result.runId);
    expect(run).toMatchObject({ status: 'succeeded', delivery: { target: 'oneroster-sftp' } });
    expect(run!.steps.deliver!.attempt).toBe(2);
    expect(run!.events?.find((event) => event.step === 'deliver' && event.kind === 'resumed')?.detail).toContain(
      'had already renamed every file into place',
    );
    // One write pass and one rename per file: the second attempt sent nothing.
    const finals = run!.artifacts!.map((artifact) => artifact.fileName);
    expect(alludo.renames.map((rename) => rename.to.split('/').at(-1)).sort()).toEqual([...finals].sort());
    const written = alludo.writes.reduce((sum, write) => sum + write.length, 0);
    expect(written).toBe(run!.artifacts!.reduce((sum, artifact) => sum + artifact.bytes, 0));
    for (const artifact of run!.artifacts!) {
      expect(alludo.file(artifact.fileName)).toBe((await harness.store.artifacts.read(artifact.id)).toString('utf8'));
    }
  }, 180_000);

  it('a person the source lists twice is one person in the baseline, so the next delivery still becomes it', async () => {
    const seeded = personio.people;
    const active = seeded.find((person) => person.status === 'active')!;
    // Personio pages by offset: a record shifting mid-listing is served on two pages.
    personio.people = [...seeded, { ...active, email: `again.${active.email}` }];
    try {
      const first = await uninterruptedRun('personio-people');
      const second = await uninterruptedRun('personio-people');
      const plan = (await harness.store.runs.get(second.runId))!.plan!;
      const employed = new Set(seeded.filter((person) => person.status !== 'inactive').map((person) => person.id));
      expect(plan).toMatchObject({ active: employed.size, deactivations: 0, previousRunId: first.runId });
      // Each run's snapshot was whole, so each became the baseline in turn.
      expect((await harness.store.snapshots.current('personio-people'))?.runId).toBe(second.runId);
      const events = (await harness.store.runs.get(second.runId))!.events ?? [];
      expect(events.map((event) => event.kind)).not.toContain('snapshot-skipped');
    } finally {
      personio.people = seeded;
    }
  }, 120_000);

  // Last: it uploads to the Alludo fake, whose counts the SFTP test above reads from its start.
  it('a file source gathered into stored pages (OneRoster, orgs derived as it goes): resumed after the first, byte-identical', async () => {
    const reference = await uninterruptedRun('gathered-oneroster');

    const result = await runKilledAt('gathered-oneroster', 'build.after-page@1');

    // The same files, byte for byte (checksums), the derived orgs included.
    expect(result.artifacts).toEqual(reference.artifacts);
    const run = await harness.store.runs.get(result.runId);
    expect(run).toMatchObject({ status: 'succeeded', counts: { pulled: GATHERED_ROWS } });
    expect(run!.steps.build!.attempt).toBe(2);
    // Pages of 500, 500 and 200 rows were gathered into the first stored page: pageSize rows.
    expect(run!.events?.find((event) => event.step === 'build' && event.kind === 'resumed')?.detail).toContain(
      `continued from the checkpoint of attempt 1: 1 pages (${GATHERED_PAGE_SIZE} employees`,
    );
  }, 180_000);
});
