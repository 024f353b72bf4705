import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PendingHold } from '../../workflows/hold';
import type { SyncRosterResult } from '../../workflows/sync-roster';
import { freePort } from '../../tools/stack/ports';
import { ALLSTACKS_ORG_ID, ALLSTACKS_PASSWORD, ALLSTACKS_USERNAME, AllstacksFake } from '../fakes/allstacks/server';
import { exampleConfig } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { startWorkerProcess, waitFor } from '../support/worker-process';
import type { WorkerProcess } from '../support/worker-process';

/** One sample of the Prometheus text format: `name{label="value",...} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The text format's sample lines (comments skipped), with label values unescaped. */
function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
      if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key, raw] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        labels[key!] = raw!.replace(/\\(.)/g, (_escape, char: string) => (char === 'n' ? '\n' : char));
      }
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** The sum of a series' samples whose labels include `labels` (the SDK adds labels of its own). */
function total(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter(
      (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    )
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** The labels rosterflow puts on its series (and a histogram's bucket bound): nothing about a person. */
const OUR_LABELS = ['sync_id', 'status', 'step', 'outcome', 'target', 'le'];

let harness: Harness;
let worker: WorkerProcess | undefined;
let allstacks: AllstacksFake;
let metricsAddress: string;
let exportCsv: string;
const taskQueue = `metrics-${Date.now()}`;

beforeAll(async () => {
  allstacks = await AllstacksFake.start();
  harness = await startHarness('metrics');
  await mkdir(join(harness.dir, 'out'), { recursive: true });
  exportCsv = await readFile(join(harness.dataDir, 'acme-hr-export.csv'), 'utf8');
  const config = exampleConfig();
  const allstacksTarget = {
    type: 'allstacks',
    baseUrl: allstacks.baseUrl,
    organizationId: ALLSTACKS_ORG_ID,
    username: ALLSTACKS_USERNAME,
    password: { env: 'ALLSTACKS_TEST_PASSWORD' },
    tags: [{ category: 'Team', field: 'customFields.team' }],
    uploadWindowSeconds: 0,
  };
  config.syncs.push({ id: 'acme-allstacks', source: config.syncs[0]!.source, target: allstacksTarget as never });
  await harness.writeConfig(config);
  metricsAddress = `127.0.0.1:${await freePort()}`;
});
afterAll(async () => {
  await worker?.kill('SIGTERM');
  await harness?.close();
  await allstacks?.close();
});

/** A run of `syncId` on `queue`: the worker process's, or the test's own in-process worker's. */
const start = (syncId: string, queue = taskQueue) =>
  harness.client.workflow.start('syncRoster', {
    taskQueue: queue,
    workflowId: `metrics-${syncId}-${Math.random().toString(36).slice(2, 10)}`,
    args: [{ syncId }],
  });

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const response = await fetch(`http://${metricsAddress}/metrics`);
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, samples: parseSamples(text) };
}

/** Scrapes until `ready` holds for the samples (the worker's collector works on its own clock). */
async function scrapeUntil(what: string, ready: (samples: Sample[]) => boolean): Promise<Sample[]> {
  let samples: Sample[] = [];
  await waitFor(
    async () => ready((samples = (await scrape()).samples)),
    what,
    () => JSON.stringify(samples.filter((sample) => sample.name.startsWith('rosterflow_'))),
  );
  return samples;
}

async function heldOf(handle: WorkflowHandle): Promise<PendingHold> {
  let pending: PendingHold | null = null;
  await waitFor(async () => (pending = await handle.query<PendingHold | null>('hold')) !== null, 'the run to hold');
  return pending!;
}

describe('the worker serves Prometheus metrics at ROSTERFLOW_METRICS_ADDRESS', () => {
  it("counts runs, steps, employees, rate-limit waits and holds by sync, beside the SDK's own metrics, and no roster value", async () => {
    // A delivery before the metrics worker starts (by this test's own worker): the sync is known to
    // the store, so the worker starts its counters at zero and its last delivery at that run's finish.
    const earlier = (await (await start('acme-people', harness.taskQueue)).result()) as SyncRosterResult;
    const earlierRun = (await harness.store.runs.get(earlier.runId))!;
    worker = await startWorkerProcess(harness, taskQueue, {
      ROSTERFLOW_METRICS_ADDRESS: metricsAddress,
      ALLSTACKS_TEST_PASSWORD: ALLSTACKS_PASSWORD,
    });
    const initial = await scrapeUntil('the counters of acme-people at zero', (samples) =>
      samples.some((sample) => sample.name === 'rosterflow_runs_finished_total'),
    );
    for (const status of ['succeeded', 'partial', 'failed', 'dry_run']) {
      const zero = initial.filter(
        (sample) =>
          sample.name === 'rosterflow_runs_finished_total' &&
          sample.labels['sync_id'] === 'acme-people' &&
          sample.labels['status'] === status,
      );
      expect(zero.map((sample) => sample.value)).toEqual([0]);
    }
    expect(total(initial, 'rosterflow_employees_total', { sync_id: 'acme-people', outcome: 'deactivated' })).toBe(0);
    expect(total(initial, 'rosterflow_last_success_timestamp_seconds', { sync_id: 'acme-people' })).toBe(
      Math.floor(earlierRun.finishedAt!.getTime() / 1000),
    );
    await scrapeUntil('the holds gauge of acme-people at zero', (samples) =>
      samples.some(
        (sample) => sample.name === 'rosterflow_holds_pending' && sample.labels['sync_id'] === 'acme-people',
      ),
    );

    // The example sync to success: 10 pulled, 9 delivered (one leaver left out by the target's status filter).
    const succeeded = (await (await start('acme-people')).result()) as SyncRosterResult;
    expect(succeeded.delivered).not.toBeNull();
    const succeededRun = (await harness.store.runs.get(succeeded.runId))!;

    // Allstacks answers the first upload with a 429: one wait of 2 s on a durable timer, then the upload.
    allstacks.http.injectFault({
      times: 1,
      path: /upload_employee_tags$/,
      response: { status: 429, headers: { 'retry-after': '2' }, json: { detail: 'Request was throttled.' } },
    });
    const uploaded = (await (await start('acme-allstacks')).result()) as SyncRosterResult;
    expect(uploaded.delivered?.target).toBe('allstacks');

    // The same sync from an export of 3 people: the shrink rules hold it for an operator.
    const [header, ...rows] = exportCsv.trim().split('\n');
    await writeFile(join(harness.dataDir, 'acme-hr-export.csv'), `${[header, ...rows.slice(0, 3)].join('\n')}\n`);
    const held = await start('acme-people');
    await heldOf(held);
    // The holds gauges come from the worker's collector, which reads the held runs every 30 s.
    const holding = await scrapeUntil(
      'the holds gauge to report the held run',
      (samples) => total(samples, 'rosterflow_holds_pending', { sync_id: 'acme-people' }) === 1,
    );
    const age = total(holding, 'rosterflow_hold_oldest_age_seconds', { sync_id: 'acme-people' });
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(120);
    expect(total(holding, 'rosterflow_holds_started_total', { sync_id: 'acme-people' })).toBe(1);

    await held.executeUpdate('decideHold', {
      args: [{ approve: false, by: 'ops-ben', reason: 'Ada Lovelace is still here' }],
    });
    await expect(held.result()).rejects.toThrow();

    const { text, samples: after } = await scrape();
    const of = (name: string, labels: Record<string, string>) => total(after, name, labels);

    // Runs by sync and status, and their durations (the run record's start to finish).
    expect(of('rosterflow_runs_finished_total', { sync_id: 'acme-people', status: 'succeeded' })).toBe(1);
    expect(of('rosterflow_runs_finished_total', { sync_id: 'acme-people', status: 'failed' })).toBe(1);
    expect(of('rosterflow_runs_finished_total', { sync_id: 'acme-people', status: 'partial' })).toBe(0);
    expect(of('rosterflow_runs_finished_total', { sync_id: 'acme-allstacks', status: 'succeeded' })).toBe(1);
    expect(of('rosterflow_run_duration_seconds_count', { sync_id: 'acme-people' })).toBe(2);
    expect(of('rosterflow_run_duration_seconds_count', { sync_id: 'acme-allstacks' })).toBe(1);
    // The allstacks run waited 2 s for its rate limit: its duration says so.
    expect(of('rosterflow_run_duration_seconds_sum', { sync_id: 'acme-allstacks' })).toBeGreaterThan(2);
    // The last delivery: this worker's run, not the one it read from the store at start.
    expect(of('rosterflow_last_success_timestamp_seconds', { sync_id: 'acme-people' })).toBe(
      Math.floor(succeededRun.finishedAt!.getTime() / 1000),
    );

    // Each step's attempts: both acme-people runs resolved and built; only the first delivered.
    for (const step of ['resolve', 'build']) {
      expect(of('rosterflow_step_duration_seconds_count', { sync_id: 'acme-people', step, status: 'succeeded' })).toBe(
        2,
      );
    }
    expect(of('rosterflow_step_duration_seconds_count', { sync_id: 'acme-people', step: 'deliver' })).toBe(1);
    // Allstacks' deliver step ran twice: the upload the 429 refused, and the one after the wait.
    expect(of('rosterflow_step_duration_seconds_count', { sync_id: 'acme-allstacks', step: 'deliver' })).toBe(2);
    expect(of('rosterflow_step_duration_seconds_count', { status: 'failed' })).toBe(0);

    // Employees by outcome: 10 + 3 pulled; the first run's 9 delivered; the rejected hold delivered nothing.
    const employees = (sync_id: string, outcome: string) => of('rosterflow_employees_total', { sync_id, outcome });
    expect(employees('acme-people', 'pulled')).toBe(13);
    expect(employees('acme-people', 'delivered')).toBe(9);
    expect(employees('acme-people', 'rejected')).toBe(0);
    expect(employees('acme-people', 'vendor_refused')).toBe(0);
    expect(employees('acme-people', 'deactivated')).toBe(0);
    expect(employees('acme-allstacks', 'pulled')).toBe(10);
    expect(employees('acme-allstacks', 'delivered')).toBe(uploaded.rendered);

    // Rate-limit waits: how many and the seconds waited, by sync and target.
    expect(of('rosterflow_rate_limit_waits_total', { sync_id: 'acme-allstacks', target: 'allstacks' })).toBe(1);
    expect(of('rosterflow_rate_limit_wait_seconds_total', { sync_id: 'acme-allstacks', target: 'allstacks' })).toBe(2);
    expect(of('rosterflow_rate_limit_waits_total', { sync_id: 'acme-people', target: 'csv-file' })).toBe(0);

    // Holds started and decided (the operator's name is not a label).
    expect(of('rosterflow_holds_started_total', { sync_id: 'acme-people' })).toBe(1);
    expect(of('rosterflow_holds_decided_total', { sync_id: 'acme-people', outcome: 'rejected' })).toBe(1);
    expect(of('rosterflow_holds_decided_total', { sync_id: 'acme-people', outcome: 'approved' })).toBe(0);

    // rosterflow's series carry its own labels only.
    const ours = after.filter((sample) => sample.name.startsWith('rosterflow_'));
    const labelNames = new Set(ours.flatMap((sample) => Object.keys(sample.labels)));
    expect([...labelNames].filter((name) => !OUR_LABELS.includes(name))).toEqual([]);
    expect(new Set(ours.map((sample) => sample.labels['sync_id']))).toEqual(new Set(['acme-people', 'acme-allstacks']));

    // The SDK's own worker metrics on the same endpoint.
    expect(total(after, 'temporal_workflow_completed', { workflow_type: 'syncRoster' })).toBeGreaterThanOrEqual(2);
    expect(total(after, 'temporal_worker_task_slots_available', { worker_type: 'ActivityWorker' })).toBeGreaterThan(0);

    // No roster value anywhere: every cell of the export but numbers and dates, and the operator's words.
    const cells = exportCsv
      .trim()
      .split('\n')
      .slice(1)
      .flatMap((row) => row.split(','))
      .map((cell) => cell.replace(/"/g, '').trim())
      .filter((cell) => cell !== '' && !/^[\d-]+$/.test(cell));
    expect(cells.length).toBeGreaterThan(50);
    const leaked = [...cells, 'ops-ben', 'Ada Lovelace'].filter((value) => text.includes(value));
    expect(leaked).toEqual([]);
    const employeeIds = exportCsv.match(/^\d{4}/gm)!;
    expect(employeeIds).toHaveLength(10);
    const values = after.flatMap((sample) => Object.values(sample.labels));
    expect(values.filter((value) => employeeIds.includes(value))).toEqual([]);
  }, 180_000);
});
