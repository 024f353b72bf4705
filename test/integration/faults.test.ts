import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeFailure } from '../../core/failure-summary';
import type { SyncRosterResult, syncRoster } from '../../workflows/sync-roster';
import { PERSONIO_CLIENT_ID, PERSONIO_CLIENT_SECRET, PersonioFake } from '../fakes/personio/server';
import { STAFFBASE_TOKEN, StaffbaseFake } from '../fakes/staffbase/server';
import { FAULT_BODY_MARKER, requestKey } from '../fakes/support/fake-http';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/*
 * HTTP faults through the real workflow and worker: a Personio source paging through 5 pages, a
 * Staffbase target. A source that fails for good or comes back empty must leave the target untouched
 * (nobody deactivated); transient faults on both ends must end in one import of the full roster.
 */

const SYNC_ID = 'faults-personio-staffbase';
const ROSTER = 23;
const PAGE_SIZE = 5;
const EMPLOYEES = /\/v1\/company\/employees$/;

let harness: Harness;
let personio: PersonioFake;
let staffbase: StaffbaseFake;

function config() {
  return {
    version: 1,
    syncs: [
      {
        id: SYNC_ID,
        source: {
          type: 'personio',
          baseUrl: personio.baseUrl,
          clientId: PERSONIO_CLIENT_ID,
          clientSecret: { env: 'PERSONIO_FAULTS_SECRET' },
          pageSize: PAGE_SIZE,
        },
        target: {
          type: 'staffbase',
          baseUrl: staffbase.baseUrl,
          apiToken: { env: 'STAFFBASE_FAULTS_TOKEN' },
          polling: { initialInterval: '1s', maxInterval: '2s', timeout: '2m' },
          // The synthetic roster has leavers (delta: Deactivated rows); the preview must not stop on them.
          safety: { maxDeactivationPercent: 100 },
        },
      },
    ],
  };
}

beforeAll(async () => {
  personio = await PersonioFake.start({ listingRateLimit: undefined, authPerMinute: 10_000 });
  staffbase = await StaffbaseFake.start({ autoAdvanceOnPoll: true });
  process.env['PERSONIO_FAULTS_SECRET'] = PERSONIO_CLIENT_SECRET;
  process.env['STAFFBASE_FAULTS_TOKEN'] = STAFFBASE_TOKEN;
  harness = await startHarness('faults');
  await harness.writeConfig(config());
  // People Staffbase already has: a pull that fails or comes back empty must leave them alone.
  for (const id of ['seed-1', 'seed-2', 'seed-3']) staffbase.seedUser(id, 'registered', { eMail: `${id}@example.com` });
});
afterAll(async () => {
  await harness?.close();
  await personio?.close();
  await staffbase?.close();
  delete process.env['PERSONIO_FAULTS_SECRET'];
  delete process.env['STAFFBASE_FAULTS_TOKEN'];
});

const start = () =>
  harness.client.workflow.start<typeof syncRoster>('syncRoster', {
    taskQueue: harness.taskQueue,
    workflowId: `${SYNC_ID}-${Date.now()}`,
    args: [{ syncId: SYNC_ID }],
  });

async function failedRun(): Promise<{ runId: string; failure: { type?: string; message?: string } }> {
  const handle = await start();
  const error = await handle.result().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  // What an operator is shown: the type and message the workflow's own failure leads with.
  const failure = summarizeFailure((error as WorkflowFailedError).cause);
  return { runId: (await handle.describe()).runId, failure };
}

const staffbaseStatuses = () => new Map([...staffbase.users].map(([id, user]) => [id, user.status]));

describe('HTTP faults through the workflow', () => {
  it('a source failing for good on page 2 (malformed JSON every time): the run fails in extract, Staffbase sees nothing', async () => {
    personio.seed(ROSTER);
    const staffbaseBefore = { requests: staffbase.http.requests.length, users: staffbaseStatuses() };
    const listingBefore = personio.http.requestsTo(EMPLOYEES).length;
    personio.http.fail('malformed-json', { path: EMPLOYEES, nth: 2, times: 100 });

    const { runId, failure } = await failedRun();
    personio.http.clearFaults();
    expect(failure.type).toBe('SourceInvalidResponse');
    expect(failure.message).toMatch(
      /^Personio: GET \/v1\/company\/employees returned a body that is not valid JSON \(HTTP 200, \d+ bytes; truncated or malformed\) \(3 attempts\)$/,
    );
    expect(failure.message).not.toContain(FAULT_BODY_MARKER);
    expect(failure.message).not.toContain(PERSONIO_CLIENT_SECRET);
    // Page 1 once, page 2 three times in-process; non-retryable, so no activity retry re-reads anything.
    expect(personio.http.requestsTo(EMPLOYEES).length - listingBefore).toBe(4);

    // The target received nothing at all, so nobody was deactivated.
    expect(staffbase.http.requests.length).toBe(staffbaseBefore.requests);
    expect(staffbaseStatuses()).toEqual(staffbaseBefore.users);

    const record = await harness.store.runs.get(runId);
    expect(record).toMatchObject({
      status: 'failed',
      error: { type: 'SourceInvalidResponse', message: failure.message },
      steps: { build: { status: 'failed', attempt: 1 } },
    });
    expect(record?.steps.build?.error).toContain('Personio: GET /v1/company/employees');
    expect(record?.steps.deliver).toBeUndefined();
    expect(record?.delivery).toBeUndefined();
  });

  it('an empty source (everyone gone, as the HR system says): SourceEmpty, Staffbase sees nothing', async () => {
    personio.seed(0);
    const staffbaseBefore = { requests: staffbase.http.requests.length, users: staffbaseStatuses() };
    const { runId, failure } = await failedRun();
    expect(failure.type).toBe('SourceEmpty');
    expect(failure.message).toBe('The source returned no valid employees (0 rejected rows); nothing was delivered');
    expect(staffbase.http.requests.length).toBe(staffbaseBefore.requests);
    expect(staffbaseStatuses()).toEqual(staffbaseBefore.users);
    const record = await harness.store.runs.get(runId);
    expect(record).toMatchObject({ status: 'failed', error: { type: 'SourceEmpty' }, counts: { pulled: 0 } });
    expect(record?.steps.build?.status).toBe('succeeded');
    expect(record?.steps.deliver).toBeUndefined();
  });

  it('transient faults on both ends: the run succeeds with the full roster and exactly one Staffbase import', async () => {
    personio.seed(ROSTER);
    const importsBefore = staffbase.importsCreated;
    const listingBefore = personio.http.requestsTo(EMPLOYEES).length;
    // Source: a 503 (retried in-process), a reset (in-process) and a 500 on page 4 (the activity retries,
    // resuming from its checkpoint).
    personio.http.fail('503', { path: EMPLOYEES, nth: 2 });
    personio.http.fail('reset', { path: EMPLOYEES, nth: 3 });
    personio.http.fail('500', { path: EMPLOYEES, nth: 5 });
    // Target: the upload is stored but answered 500 (the retried step finds it by file name), a poll
    // is cut off mid-body and the import list once answers 503 (both retried in-process).
    staffbase.http.injectFault({
      times: 1,
      method: 'POST',
      path: /^\/api\/users\/imports$/,
      action: 'afterHandler',
      name: '500-after-create',
      response: { status: 500, json: { code: 500, message: 'Internal Server Error' } },
    });
    staffbase.http.fail('truncated', { method: 'GET', path: /^\/api\/users\/imports\/[^/]+$/ });
    staffbase.http.fail('503', { method: 'GET', path: /^\/api\/users\/imports$/, nth: 2 });

    const handle = await start();
    const result: SyncRosterResult = await handle.result();
    expect(result).toMatchObject({ pulled: ROSTER, rejected: 0, delivered: { target: 'staffbase' } });
    expect(personio.http.pendingFaults()).toBe(0);
    expect(staffbase.http.pendingFaults()).toBe(0);

    // Exactly one import, completed, holding everyone once.
    expect(staffbase.importsCreated - importsBefore).toBe(1);
    const created = [...staffbase.imports.values()].at(-1)!;
    expect(created.state).toBe('COMPLETED');
    const uploads = staffbase.http.requestsTo(/^\/api\/users\/imports$/, 'POST');
    expect(uploads.filter((request) => request.body.includes(created.fileName))).toHaveLength(1);
    // Everyone employed is a user now; leavers Staffbase never knew are not created (delta Deactivated rows).
    for (const person of personio.people) {
      const user = staffbase.users.get(person.id);
      if (person.status === 'inactive') expect(user?.status ?? 'absent', `user ${person.id}`).not.toBe('registered');
      else expect(user?.status, `user ${person.id}`).toMatch(/^(?:pending|registered)$/);
    }
    // The seeded users were not in the roster: a delta import leaves them as they were.
    expect(['seed-1', 'seed-2', 'seed-3'].map((id) => staffbase.users.get(id)?.status)).toEqual([
      'registered',
      'registered',
      'registered',
    ]);

    // Every page arrived; the faulted requests were repeated, and only those.
    const listing = personio.http.requestsTo(EMPLOYEES).slice(listingBefore);
    expect(listing.filter((request) => request.fault !== undefined).map((request) => request.fault)).toEqual([
      '503',
      'reset',
      '500',
    ]);
    // Five pages, each served once: the activity's retry resumed from its checkpoint after page 3.
    const served = listing.filter((request) => request.fault === undefined).map(requestKey);
    expect(served).toHaveLength(Math.ceil(ROSTER / PAGE_SIZE));
    expect(new Set(served).size).toBe(served.length);
    const record = await harness.store.runs.get(result.runId);
    expect(record).toMatchObject({
      status: 'succeeded',
      counts: { pulled: ROSTER },
      steps: { build: { status: 'succeeded', attempt: 2 }, deliver: { status: 'succeeded' } },
      delivery: { remoteId: created.id },
    });
  });
});
