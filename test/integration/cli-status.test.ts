import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLSTACKS_ORG_ID, ALLSTACKS_PASSWORD, ALLSTACKS_USERNAME, AllstacksFake } from '../fakes/allstacks/server';
import { exampleConfig } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { runCli } from '../support/cli';

/** `rosterflow run --detach / --json` and `rosterflow status` as child processes (issue 12, item 1). */
let harness: Harness;
let allstacks: AllstacksFake;

beforeAll(async () => {
  allstacks = await AllstacksFake.start();
  process.env['ALLSTACKS_STATUS_PASSWORD'] = ALLSTACKS_PASSWORD;
  harness = await startHarness('cli-status');
  await mkdir(join(harness.dir, 'out'), { recursive: true });
  const [header, ...rows] = (await readFile(join(harness.dataDir, 'acme-hr-export.csv'), 'utf8')).trim().split('\n');
  await writeFile(join(harness.dataDir, 'full.csv'), `${[header, ...rows].join('\n')}\n`);
  await writeFile(join(harness.dataDir, 'three.csv'), `${[header, ...rows.slice(0, 3)].join('\n')}\n`);
  await configure('full.csv');
});
afterAll(async () => {
  await harness.close();
  await allstacks.close();
  delete process.env['ALLSTACKS_STATUS_PASSWORD'];
});

/**
 * `status-people` and `status-held` read `heldExport` (the full export, then three of its people:
 * a shrink the safety rules hold); two Allstacks syncs share one organisation's upload lock.
 */
async function configure(heldExport: string): Promise<void> {
  const config = exampleConfig();
  const base = config.syncs[0]!;
  delete base.schedule;
  const allstacksTarget = {
    type: 'allstacks',
    baseUrl: allstacks.baseUrl,
    organizationId: ALLSTACKS_ORG_ID,
    username: ALLSTACKS_USERNAME,
    password: { env: 'ALLSTACKS_STATUS_PASSWORD' },
    tags: [{ category: 'Team', field: 'customFields.team' }],
    uploadWindowSeconds: 3,
  };
  config.syncs = [
    { ...base, id: 'status-people', target: { ...base.target, path: join(harness.dir, 'out', 'people.csv') } },
    {
      ...base,
      id: 'status-held',
      source: { ...base.source, path: `data/${heldExport}` },
      target: { ...base.target, path: join(harness.dir, 'out', 'held.csv') },
    },
    ...['status-allstacks-1', 'status-allstacks-2'].map((id) => ({
      id,
      source: base.source,
      target: allstacksTarget as never,
    })),
  ];
  await harness.writeConfig(config);
}

const startedIds = (stdout: string) => {
  const [, workflowId, runId] = /^started (\S+) \(run ([0-9a-f-]+)\)/m.exec(stdout) ?? [];
  return { workflowId: workflowId!, runId: runId! };
};

describe('rosterflow run --json and status of a finished run', () => {
  it('prints only the outcome as JSON with the counts, and status shows it the way run does', async () => {
    const run = await runCli(harness, ['run', 'status-people', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const outcome = JSON.parse(run.stdout) as Record<string, unknown> & { result: Record<string, unknown> };
    expect(outcome).toMatchObject({
      status: 'succeeded',
      ok: true,
      result: { syncId: 'status-people', pulled: 10, rejected: 0, rendered: 9, renderRejected: 0 },
    });
    const { workflowId, runId } = outcome as unknown as { workflowId: string; runId: string };

    // By run id, found through its run record.
    const byRun = await runCli(harness, ['status', runId]);
    expect(byRun.code, byRun.stderr).toBe(0);
    expect(byRun.stdout).toContain(`status-people (csv -> csv-file)  workflow ${workflowId}  run ${runId}  ended `);
    expect(byRun.stdout).toContain("\nSUCCEEDED: 10 pulled: 9 delivered, 1 left out by the target's status filter\n");

    const json = await runCli(harness, ['status', workflowId, '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      workflowId,
      runId,
      status: 'succeeded',
      temporalStatus: 'COMPLETED',
      counts: { pulled: 10, rendered: 9 },
    });
  });

  it('prints a failed outcome as JSON and exits 1', async () => {
    const run = await runCli(harness, ['run', 'no-such-sync', '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'failed', ok: false, failure: { type: 'UnknownSync' } });
  });

  it('refuses an unknown id in one sentence', async () => {
    const status = await runCli(harness, ['status', 'no-such-run']);
    expect(status.code).toBe(1);
    expect(status.stdout).toBe('');
    expect(status.stderr.trim().split('\n')).toEqual([
      `rosterflow: No workflow or run "no-such-run" in Temporal (namespace ${harness.namespace}) or the run store (\`rosterflow history\` lists recent runs with their ids)`,
    ]);
  });
});

describe('rosterflow run --detach and status of a held run', () => {
  it('returns with the ids while the run goes on; status names HELD and its reasons', async () => {
    // A first delivery of all ten, then a pull of three: the shrink holds the run for an operator.
    await configure('full.csv');
    expect((await runCli(harness, ['run', 'status-held'])).code).toBe(0);
    await configure('three.csv');

    const detached = await runCli(harness, ['run', 'status-held', '--detach']);
    expect(detached.code, detached.stderr).toBe(0);
    const { workflowId, runId } = startedIds(detached.stdout);
    expect(detached.stdout).toContain(`follow it: ./bin/rosterflow status ${workflowId}`);
    const handle = harness.client.workflow.getHandle(workflowId, runId);
    const description = await handle.describe();
    // Back before the run is over (a held run waits for an operator), and summarised for the Web UI.
    expect(description.status.name).toBe('RUNNING');
    expect(await description.staticSummary()).toBe('status-held: csv -> csv-file');

    let status = await runCli(harness, ['status', workflowId]);
    for (let tries = 0; tries < 60 && !status.stdout.includes('HELD'); tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      status = await runCli(harness, ['status', workflowId]);
    }
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(
      `status-held (csv -> csv-file)  workflow ${workflowId}  run ${runId}\nHELD: a safety rule tripped; nothing is delivered until an operator decides`,
    );
    expect(status.stdout).toMatch(/^ {2}- The source returned 3 employees, 70\.0% fewer than the 10 /m);
    expect(status.stdout).toContain(`approve: ./bin/rosterflow approve ${workflowId} --reason "<why>"`);

    // By run id with a store that has no record of it: found through Temporal's list.
    const listed = await runCli(harness, ['status', runId, '--json'], { ROSTERFLOW_DB: `${harness.dbName}_empty` });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      workflowId,
      runId,
      status: 'held',
      from: 'progress',
      step: 'plan',
      stepsDone: ['resolve', 'build', 'plan'],
      counts: { pulled: 3 },
      wait: { kind: 'hold' },
    });

    const rejected = await runCli(harness, ['reject', workflowId, '--reason', 'test over']);
    expect(rejected.code, rejected.stderr).toBe(0);
    await handle.result().catch(() => undefined);
    const after = await runCli(harness, ['status', workflowId]);
    expect(after.stdout).toMatch(/^FAILED \(HoldRejected\): /m);
  });
});

describe('rosterflow run without a terminal', () => {
  it('prints one line per change, naming the run an upload lock waits behind', async () => {
    allstacks.realClock = true;
    allstacks.windowSeconds = 3;
    // The first upload is told to wait 6 s: the other run waits at the lock all that while.
    allstacks.http.injectFault({
      times: 1,
      path: /upload_employee_tags$/,
      response: { status: 429, headers: { 'retry-after': '6' }, json: { detail: 'Request was throttled.' } },
    });
    const [first, second] = await Promise.all([
      runCli(harness, ['run', 'status-allstacks-1']),
      runCli(harness, ['run', 'status-allstacks-2']),
    ]);
    expect([first.code, second.code], first.stdout + second.stdout).toEqual([0, 0]);
    const runs = [first.stdout, second.stdout];
    // The record says that one of them waits; the lock's own query says behind whom (or after whose upload).
    const waiting = runs.findIndex((stdout) => /^ {2}deliver: waiting for the upload lock of allstacks:/m.test(stdout));
    expect(waiting, runs.join('\n')).not.toBe(-1);
    const waiter = runs[waiting]!;
    const other = startedIds(runs[1 - waiting]!).workflowId;
    expect(waiter).toMatch(
      new RegExp(`^ {2}deliver: waiting for the upload lock(?: behind|: the target's window after) ${other}`, 'm'),
    );
  }, 90_000);
});
