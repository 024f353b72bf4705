import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncProgress } from '../../workflows/progress';
import { ensureSearchAttributes } from '../../worker/search-attributes-check';
import {
  DRY_RUN,
  RUN_STATUS,
  SOURCE_TYPE,
  SYNC_ID,
  TARGET_TYPE,
  TRIGGER,
  searchAttributeArgs,
} from '../../workflows/search-attributes';
import { uploadLockHolderQuery } from '../../workflows/upload-lock';
import { ALLSTACKS_ORG_ID, ALLSTACKS_PASSWORD, ALLSTACKS_USERNAME, AllstacksFake } from '../fakes/allstacks/server';
import { STAFFBASE_TOKEN, StaffbaseFake } from '../fakes/staffbase/server';
import { exampleConfig } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

let harness: Harness;
let allstacks: AllstacksFake;
let staffbase: StaffbaseFake;
let header: string;
let rows: string[];

beforeAll(async () => {
  allstacks = await AllstacksFake.start();
  staffbase = await StaffbaseFake.start({ autoAdvanceOnPoll: true });
  process.env['ALLSTACKS_VISIBILITY_PASSWORD'] = ALLSTACKS_PASSWORD;
  process.env['STAFFBASE_VISIBILITY_TOKEN'] = STAFFBASE_TOKEN;
  harness = await startHarness('run-visibility');
  await mkdir(join(harness.dir, 'out'), { recursive: true });
  [header = '', ...rows] = (await readFile(join(harness.dataDir, 'acme-hr-export.csv'), 'utf8')).trim().split('\n');
});
afterAll(async () => {
  await harness?.close();
  await allstacks?.close();
  await staffbase?.close();
  delete process.env['ALLSTACKS_VISIBILITY_PASSWORD'];
  delete process.env['STAFFBASE_VISIBILITY_TOKEN'];
});

/** One csv sync into a file of its own, from `file` under the data folder. */
async function configureCsv(syncId: string, file = 'acme-hr-export.csv', safety?: Record<string, unknown>) {
  const config = exampleConfig();
  const base = config.syncs[0]!;
  config.syncs = [
    {
      id: syncId,
      source: { ...base.source, path: `data/${file}` },
      target: { ...base.target, path: join(harness.dir, 'out', `${syncId}.csv`) },
      ...(safety ? { safety } : {}),
    },
  ];
  await harness.writeConfig(config);
}

async function configureAllstacks(windowSeconds: number) {
  const config = exampleConfig();
  const base = config.syncs[0]!;
  const target = {
    type: 'allstacks',
    baseUrl: allstacks.baseUrl,
    organizationId: ALLSTACKS_ORG_ID,
    username: ALLSTACKS_USERNAME,
    password: { env: 'ALLSTACKS_VISIBILITY_PASSWORD' },
    tags: [{ category: 'Department', field: 'department' }],
    uploadWindowSeconds: windowSeconds,
  };
  config.syncs = [
    { id: 'tags-a', source: base.source, target: target as never },
    { id: 'tags-b', source: base.source, target: target as never },
  ];
  await harness.writeConfig(config);
}

function start(syncId: string, dryRun = false) {
  return harness.client.workflow.start('syncRoster', {
    taskQueue: harness.taskQueue,
    workflowId: `${syncId}-${Math.random().toString(36).slice(2, 10)}`,
    args: [{ syncId, dryRun }],
  });
}

const progressOf = (handle: WorkflowHandle) => handle.query<SyncProgress>('progress');
const detailsOf = async (handle: WorkflowHandle) =>
  (await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails;

/** Asks the `progress` query until `wanted` holds, and answers that progress. */
async function progressUntil(handle: WorkflowHandle, wanted: (progress: SyncProgress) => boolean, what: string) {
  const deadline = Date.now() + 30_000;
  let last: SyncProgress | undefined;
  while (Date.now() < deadline) {
    last = await progressOf(handle).catch(() => undefined);
    if (last && wanted(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${handle.workflowId} never showed ${what}; last progress: ${JSON.stringify(last)}`);
}

/** Workflow ids a visibility query finds (visibility is eventually consistent: asked until found). */
async function listedUntilFound(query: string, workflowId: string): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ids: string[] = [];
    for await (const run of harness.client.workflow.list({ query })) ids.push(run.workflowId);
    if (ids.includes(workflowId) || Date.now() > deadline) return ids;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('a run seen from Temporal: progress query, search attributes, current details', () => {
  it('carries its sync, types, trigger and final status as search attributes, and its counts in its details', async () => {
    await configureCsv('visible-csv');
    const handle = await start('visible-csv');
    await handle.result();
    const description = await handle.describe();
    const attributes = description.typedSearchAttributes;
    expect(attributes.get(SYNC_ID)).toBe('visible-csv');
    expect(attributes.get(SOURCE_TYPE)).toBe('csv');
    expect(attributes.get(TARGET_TYPE)).toBe('csv-file');
    expect(attributes.get(TRIGGER)).toBe('manual');
    expect(attributes.get(DRY_RUN)).toBe(false);
    expect(attributes.get(RUN_STATUS)).toBe('succeeded');

    const progress = await progressOf(handle);
    expect(progress).toMatchObject({
      syncId: 'visible-csv',
      status: 'succeeded',
      sourceType: 'csv',
      targetType: 'csv-file',
      stepsDone: ['resolve', 'build', 'plan', 'deliver', 'finish'],
      counts: { pulled: 10, rejected: 0, rendered: 9, renderRejected: 0, deactivations: 0 },
    });
    expect(progress.step).toBeUndefined();
    expect(progress.wait).toBeUndefined();
    const details = await detailsOf(handle);
    expect(details.split('\n')[0]).toBe('**Succeeded**.');
    expect(details).toContain('Employees: 10 pulled, 0 rejected by the source, 9 rendered');

    const found = await listedUntilFound(
      `RosterflowSyncId = "visible-csv" AND RosterflowStatus = "succeeded"`,
      handle.workflowId,
    );
    expect(found).toContain(handle.workflowId);
  });

  it('says HELD and why at the top of a held run, is found by a status filter, and moves on when approved', async () => {
    await writeFile(join(harness.dataDir, 'full.csv'), `${[header, ...rows].join('\n')}\n`);
    await configureCsv('visible-hold', 'full.csv');
    await (await start('visible-hold')).result();
    // Seven of the ten gone: over the default shrink and deactivation limits.
    await writeFile(join(harness.dataDir, 'full.csv'), `${[header, ...rows.slice(0, 3)].join('\n')}\n`);
    const handle = await start('visible-hold');
    const held = await progressUntil(handle, (progress) => progress.status === 'held', 'a hold');
    expect(held.step).toBe('plan');
    expect(held.wait).toMatchObject({ kind: 'hold' });
    const reasons = held.wait?.kind === 'hold' ? held.wait.reasons : [];
    expect(reasons.some((reason) => reason.includes('maxDeactivationPercent'))).toBe(true);
    const details = await detailsOf(handle);
    expect(details.split('\n')[0]).toBe('**HELD for approval**: a safety rule tripped, nothing has been delivered.');
    expect(details).toContain(`- ${reasons[0]}`);

    const found = await listedUntilFound(`RosterflowStatus = "held"`, handle.workflowId);
    expect(found).toContain(handle.workflowId);
    expect((await handle.describe()).typedSearchAttributes.get(RUN_STATUS)).toBe('held');

    await handle.executeUpdate('decideHold', { args: [{ approve: true, by: 'ops', reason: 'the site closed' }] });
    await handle.result();
    const done = await progressOf(handle);
    expect(done.status).toBe('succeeded');
    expect(done.counts.deactivations).toBe(6);
    expect((await handle.describe()).typedSearchAttributes.get(RUN_STATUS)).toBe('succeeded');
    expect(done.holdDecision).toMatchObject({ outcome: 'approved', by: 'ops' });
    expect(await detailsOf(handle)).toMatch(/^\*\*Succeeded\*\*\.\n\nHold approved by ops at \S+\.\n/);
  });

  it('marks a failed run failed, with the failure type, and a dry run as one', async () => {
    await configureCsv('visible-csv');
    const missing = await start('no-such-sync');
    await expect(missing.result()).rejects.toThrow();
    const progress = await progressOf(missing);
    expect(progress.status).toBe('failed');
    expect(progress.failure).toBe('UnknownSync');
    expect(progress.stepsDone).toEqual([]);
    expect((await missing.describe()).typedSearchAttributes.get(RUN_STATUS)).toBe('failed');
    expect((await detailsOf(missing)).split('\n')[0]).toBe('**Failed** (UnknownSync); nothing more will be sent.');

    const dry = await start('visible-csv', true);
    await dry.result();
    expect((await dry.describe()).typedSearchAttributes.get(DRY_RUN)).toBe(true);
    expect((await detailsOf(dry)).split('\n')[0]).toBe('**Succeeded** (dry run: nothing was delivered).');
    expect((await progressOf(dry)).stepsDone).toEqual(['resolve', 'build', 'plan', 'finish']);
  });

  it("shows a 429's durable wait with its end, then the run going on", async () => {
    await configureAllstacks(0);
    allstacks.advance(10 * 60 * 1000);
    allstacks.http.injectFault({
      times: 1,
      path: /upload_employee_tags$/,
      response: { status: 429, headers: { 'retry-after': '3' }, json: { detail: 'Request was throttled.' } },
    });
    const handle = await start('tags-a');
    const waiting = await progressUntil(
      handle,
      (progress) => progress.wait?.kind === 'rate-limit',
      'a rate-limit wait',
    );
    expect(waiting).toMatchObject({ status: 'running', step: 'deliver' });
    const wait = waiting.wait as Extract<SyncProgress['wait'], { kind: 'rate-limit' }>;
    expect(Date.parse(wait.until) - Date.parse(wait.since)).toBe(3000);
    expect(await detailsOf(handle)).toContain('Waiting: rate limited (Allstacks answered HTTP 429) until');
    await handle.result();
    expect((await progressOf(handle)).wait).toBeUndefined();
  });

  it('shows a run waiting at the upload lock, whose holder query names the run ahead of it', async () => {
    await configureAllstacks(4);
    allstacks.realClock = true;
    allstacks.windowSeconds = 4;
    try {
      allstacks.advance(10 * 60 * 1000);
      const first = await start('tags-a');
      await progressUntil(first, (progress) => progress.stepsDone.includes('deliver'), 'its delivery');
      const second = await start('tags-b');
      const waiting = await progressUntil(second, (progress) => progress.wait?.kind === 'upload-lock', 'a lock wait');
      const wait = waiting.wait as Extract<SyncProgress['wait'], { kind: 'upload-lock' }>;
      const holder = await harness.client.workflow.getHandle(wait.lockWorkflowId).query(uploadLockHolderQuery);
      // Still uploading, or released and the vendor's window not yet over: either way, behind the first.
      expect(holder.holderWorkflowId ?? holder.lastHolderWorkflowId).toBe(first.workflowId);
      await Promise.all([first.result(), second.result()]);
    } finally {
      allstacks.realClock = false;
      allstacks.windowSeconds = 300;
    }
  });

  it("shows the vendor import's state while the run polls it on durable timers", async () => {
    const config = exampleConfig();
    const base = config.syncs[0]!;
    const target = {
      type: 'staffbase',
      baseUrl: staffbase.baseUrl,
      apiToken: { env: 'STAFFBASE_VISIBILITY_TOKEN' },
      polling: { initialInterval: '1s', maxInterval: '2s', timeout: '2m' },
    };
    config.syncs = [{ id: 'visible-staffbase', source: base.source, target: target as never }];
    await harness.writeConfig(config);
    const handle = await start('visible-staffbase');
    const waiting = await progressUntil(
      handle,
      (progress) => progress.wait?.kind === 'vendor-import',
      'an import wait',
    );
    const wait = waiting.wait as Extract<SyncProgress['wait'], { kind: 'vendor-import' }>;
    expect(wait.target).toBe('staffbase');
    // One of the import's own states on the way (the fake moves one per poll), never a made-up one.
    expect(['PREVIEW_PENDING', 'CREATING_PREVIEW', 'IMPORT_PENDING', 'IMPORTING']).toContain(wait.state);
    expect(waiting.step).toBe('deliver');
    expect(await detailsOf(handle)).toContain(`Waiting: the staffbase import, now ${wait.state}`);
    await handle.result();
    expect((await progressOf(handle)).status).toBe('succeeded');
  });
});

describe("a namespace without rosterflow's search attributes", () => {
  const create = async (namespace: string) => {
    await harness.client.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
  };

  it('gets them from the worker at start, or a sentence naming the one registered with another type', async () => {
    const bare = `bare-${Math.random().toString(36).slice(2, 8)}`;
    await create(bare);
    const said: string[] = [];
    await ensureSearchAttributes(harness.client.connection, bare, (line) => said.push(line));
    const listed = await harness.client.connection.operatorService.listSearchAttributes({ namespace: bare });
    for (const { name } of searchAttributeArgs()) expect(Object.keys(listed.customAttributes ?? {})).toContain(name);
    expect(said).toEqual([
      `registered the search attributes ${searchAttributeArgs()
        .map(({ name }) => name)
        .join(', ')} in namespace "${bare}"`,
    ]);
    // Registered already: nothing to do, nothing said.
    await ensureSearchAttributes(harness.client.connection, bare, (line) => said.push(line));
    expect(said).toHaveLength(1);

    const wrong = `wrong-${Math.random().toString(36).slice(2, 8)}`;
    await create(wrong);
    await harness.client.connection.operatorService.addSearchAttributes({
      namespace: wrong,
      searchAttributes: { RosterflowDryRun: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD },
    });
    await expect(ensureSearchAttributes(harness.client.connection, wrong)).rejects.toThrow(
      `Temporal namespace "${wrong}" has RosterflowDryRun registered with another type than Bool; remove and create it again with the type given in docs/operations.md`,
    );
  });
});
