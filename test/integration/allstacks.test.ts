import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SyncRosterResult, syncRoster } from '../../workflows/sync-roster';
import { ALLSTACKS_ORG_ID, ALLSTACKS_PASSWORD, ALLSTACKS_USERNAME, AllstacksFake } from '../fakes/allstacks/server';
import { exampleConfig } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

let harness: Harness;
let allstacks: AllstacksFake;

/** The example HR export delivered to Allstacks: Email, then Department and Team tags. */
function allstacksConfig(windowSeconds: number) {
  const config = exampleConfig();
  const base = config.syncs[0]!;
  const target = {
    type: 'allstacks',
    baseUrl: allstacks.baseUrl,
    organizationId: ALLSTACKS_ORG_ID,
    username: ALLSTACKS_USERNAME,
    password: { env: 'ALLSTACKS_TEST_PASSWORD' },
    tags: [
      { category: 'Department', field: 'department' },
      { category: 'Team', field: 'customFields.team' },
    ],
    flags: { reconcileTags: true },
    uploadWindowSeconds: windowSeconds,
  };
  config.syncs = [
    { id: 'acme-allstacks', source: base.source, target: target as never },
    { id: 'acme-allstacks-2', source: base.source, target: target as never },
  ];
  return config;
}

beforeAll(async () => {
  allstacks = await AllstacksFake.start();
  process.env['ALLSTACKS_TEST_PASSWORD'] = ALLSTACKS_PASSWORD;
  harness = await startHarness('allstacks');
});
afterAll(async () => {
  await harness.close();
  await allstacks.close();
  delete process.env['ALLSTACKS_TEST_PASSWORD'];
});
beforeEach(() => {
  // Each test starts outside the vendor's window of the previous one.
  allstacks.advance(10 * 60 * 1000);
});

const start = (syncId: string) =>
  harness.client.workflow.start<typeof syncRoster>('syncRoster', {
    taskQueue: harness.taskQueue,
    workflowId: `${syncId}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`,
    args: [{ syncId }],
  });

describe('Allstacks delivery through the workflow', () => {
  it('uploads the roster with its tags and flags, and records the delivery', async () => {
    await harness.writeConfig(allstacksConfig(0));
    const before = allstacks.uploads.length;
    const handle = await start('acme-allstacks');
    const result: SyncRosterResult = await handle.result();
    expect(result.delivered).toEqual({
      target: 'allstacks',
      location: `${allstacks.baseUrl}/api/v1/organization/${ALLSTACKS_ORG_ID}`,
    });
    const upload = allstacks.uploads.at(-1)!;
    expect(allstacks.uploads.length - before).toBe(1);
    expect(upload.flags).toMatchObject({ reconcile_tags: true, enable_users: true, disable_users: false });
    expect(upload.csv.split('\n')[0]).toBe('Email,Department,Team');
    expect(upload.csv).toContain('ada.lovelace@acme.example,Engineering,Platform');
    expect(allstacks.contributor(ALLSTACKS_ORG_ID, 'ada.lovelace@acme.example')).toBeDefined();
  });

  it('uploads the rendered file streamed from the store, never read whole, and its exact bytes arrive', async () => {
    await harness.writeConfig(allstacksConfig(0));
    const read = vi.spyOn(harness.store.artifacts, 'read');
    const openReader = vi.spyOn(harness.store.artifacts, 'openReader');
    try {
      const result: SyncRosterResult = await (await start('acme-allstacks')).result();
      const [artifact] = (await harness.store.runs.get(result.runId))!.artifacts!;
      expect(read).not.toHaveBeenCalled();
      expect(openReader).toHaveBeenCalledWith(artifact!.id);
      const upload = allstacks.uploads.at(-1)!;
      expect(`sha256:${upload.sha256}`).toBe(artifact!.checksum);
      expect(upload.bytes).toBe(artifact!.bytes);
      expect(allstacks.http.requests.at(-1)!.headers['content-length']).toBeDefined();
    } finally {
      read.mockRestore();
      openReader.mockRestore();
    }
  });

  it('answers HTTP 429 with a durable timer and a successful retry, visible in history and the run record', async () => {
    await harness.writeConfig(allstacksConfig(0));
    allstacks.http.injectFault({
      times: 1,
      path: /upload_employee_tags$/,
      response: {
        status: 429,
        headers: { 'retry-after': '2' },
        json: { detail: 'Request was throttled. Expected available in 2 seconds.' },
      },
    });
    const handle = await start('acme-allstacks');
    const result = await handle.result();
    expect(result.delivered?.target).toBe('allstacks');

    const history = await handle.fetchHistory();
    const timerSeconds = (history.events ?? [])
      .map((event) => event.timerStartedEventAttributes?.startToFireTimeout?.seconds)
      .filter((seconds) => seconds !== undefined && seconds !== null)
      .map(Number);
    // The Retry-After wait (the lock wait has a timer only when the grant was not already in).
    expect(timerSeconds).toContain(2);

    const run = await harness.store.runs.get(result.runId);
    // (A wait at the lock, recorded when the grant takes over a second, is not what this test is about.)
    expect(run!.events?.filter((event) => event.kind !== 'lock-wait')).toEqual([
      expect.objectContaining({
        step: 'deliver',
        kind: 'rate-limited',
        detail: 'Allstacks answered HTTP 429 (attempt 1); waiting 2s on a durable timer',
      }),
    ]);
    expect(run!.status).toBe('succeeded');
  });

  it('serialises uploads of two syncs to one organisation, one per window', async () => {
    await harness.writeConfig(allstacksConfig(3));
    // The vendor's own window, on real time and as short as ours: a second upload inside it would be a 429.
    allstacks.realClock = true;
    allstacks.windowSeconds = 3;
    const before = allstacks.uploads.length;
    const [first, second] = await Promise.all([start('acme-allstacks'), start('acme-allstacks-2')]);
    await Promise.all([first.result(), second.result()]);
    const uploads = allstacks.uploads.slice(before);
    expect(uploads).toHaveLength(2);
    // The lock grants the second upload only a window after the first released it.
    expect(uploads[1]!.receivedAt - uploads[0]!.receivedAt).toBeGreaterThanOrEqual(3000);
    const runs = await Promise.all(
      [first, second].map(async (handle) => harness.store.runs.get((await handle.describe()).runId)),
    );
    // Neither run met a 429: the lock kept them apart, and the second said it waited for it.
    const kinds = runs.flatMap((run) => (run!.events ?? []).map((event) => event.kind));
    expect(kinds.length).toBeGreaterThanOrEqual(1);
    expect(new Set(kinds)).toEqual(new Set(['lock-wait']));
    allstacks.realClock = false;
    allstacks.windowSeconds = 300;
  });
});
