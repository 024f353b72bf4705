import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncRosterResult, syncRoster } from '../../workflows/sync-roster';
import { STAFFBASE_TOKEN, StaffbaseFake } from '../fakes/staffbase/server';
import { exampleConfig } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

let harness: Harness;
let staffbase: StaffbaseFake;

/** The example HR export delivered to Staffbase in delta mode, polling every second. */
function staffbaseConfig(
  sourcePath = 'data/acme-hr-export.csv',
  safety: Record<string, unknown> = {},
  syncSafety: Record<string, unknown> = {},
) {
  const config = exampleConfig();
  const base = config.syncs[0]!;
  const target = {
    type: 'staffbase',
    baseUrl: staffbase.baseUrl,
    apiToken: { env: 'STAFFBASE_TEST_TOKEN' },
    polling: { initialInterval: '1s', maxInterval: '2s', timeout: '2m' },
    safety,
  };
  config.syncs = [
    {
      id: 'acme-staffbase',
      source: { ...base.source, path: sourcePath },
      target: target as never,
      safety: syncSafety,
    },
  ];
  return config;
}

beforeAll(async () => {
  staffbase = await StaffbaseFake.start({ autoAdvanceOnPoll: true });
  process.env['STAFFBASE_TEST_TOKEN'] = STAFFBASE_TOKEN;
  harness = await startHarness('staffbase');
});
afterAll(async () => {
  await harness.close();
  await staffbase.close();
  delete process.env['STAFFBASE_TEST_TOKEN'];
});

const run = (): Promise<SyncRosterResult> =>
  harness.client.workflow.execute<typeof syncRoster>('syncRoster', {
    taskQueue: harness.taskQueue,
    workflowId: `acme-staffbase-${Date.now()}`,
    args: [{ syncId: 'acme-staffbase' }],
  });

describe('Staffbase delivery through the workflow', () => {
  it('goes through every import state, imports the delta and records the counts', async () => {
    await harness.writeConfig(staffbaseConfig());
    const result = await run();
    expect(result.delivered?.target).toBe('staffbase');
    expect(staffbase.importsCreated).toBe(1);

    const every = [
      'DRAFT',
      'PREVIEW_PENDING',
      'CREATING_PREVIEW',
      'PREVIEW_READY',
      'IMPORT_PENDING',
      'IMPORTING',
      'COMPLETED',
    ];
    expect([...staffbase.imports.values()].at(-1)!.stateLog).toEqual(every);
    // The run record keeps each state a poll saw, in order (the short-lived pending states can pass unseen).
    const run1 = await harness.store.runs.get(result.runId);
    const seen = run1!.delivery!.states!.map((entry) => entry.state);
    expect(seen).toEqual(every.filter((state) => seen.includes(state)));
    expect(seen).toEqual(expect.arrayContaining(['DRAFT', 'PREVIEW_READY', 'IMPORTING', 'COMPLETED']));
    expect(run1!.delivery).toMatchObject({ remoteId: expect.any(String) as string, errorReport: { rows: 0 } });
    expect(run1!.delivery!.counts).toMatchObject({ created: 9, errorRows: 0 });
    // Nine current people imported; the leaver is a Deactivated row Staffbase did not know yet.
    expect([...staffbase.users.values()].filter((user) => user.status !== 'deactivated')).toHaveLength(9);
    expect(staffbase.users.get('1001')?.attributes['eMail']).toBe('ada.lovelace@acme.example');
  });

  it('finds its own import again when the upload answer was lost, never creating a second', async () => {
    await harness.writeConfig(staffbaseConfig());
    const before = staffbase.importsCreated;
    staffbase.failAfterCreate = 1;
    const result = await run();
    expect(result.delivered?.target).toBe('staffbase');
    expect(staffbase.importsCreated - before).toBe(1);
  });

  it('stops before importing when the preview would deactivate too many people (onPreviewTrip: fail)', async () => {
    // Everyone but one has left, according to this export.
    const leavers = [
      'Employee ID,Employee #,First Name,Last Name,Preferred Name,Work Email,Status,Hire Date,Termination Date,Job Title,Department,Location,Manager ID,Team',
      ...['1002', '1003', '1005', '1006', '1007', '1008', '1009', '1010'].map(
        (id) => `${id},E-${id},X,Y,,p${id}@acme.example,Terminated,2020-01-01,2026-11-01,T,D,L,,T`,
      ),
      '1001,E-001,Ada,Lovelace,,ada.lovelace@acme.example,Active,2019-03-04,,Chief Engineer,Engineering,London,,Platform',
    ];
    await writeFile(join(harness.dataDir, 'leavers.csv'), `${leavers.join('\n')}\n`);
    await harness.writeConfig(
      staffbaseConfig(
        'data/leavers.csv',
        { maxDeactivationPercent: 20 },
        // The sync's own deactivation rule would hold first; this test is about the preview's.
        { onPreviewTrip: 'fail', maxDeactivationPercent: 100 },
      ),
    );
    const before = new Map([...staffbase.users].map(([id, user]) => [id, user.status]));

    const error = await run().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause?.cause as { type?: string; message?: string };
    expect(failure.type).toBe('SafetyRuleTripped');
    expect(failure.message).toMatch(/^The Staffbase preview would deactivate or delete 8 of \d+ users/);
    const latest = [...staffbase.imports.values()].at(-1)!;
    expect(latest.state).toBe('PREVIEW_READY');
    expect(new Map([...staffbase.users].map(([id, user]) => [id, user.status]))).toEqual(before);
  });

  it('fails at once, not after retries, when Staffbase refuses the token mid-protocol', async () => {
    await harness.writeConfig(staffbaseConfig());
    const before = staffbase.http.requests.length;
    // The upload goes through; every later call (configure, polls) is refused.
    staffbase.http.injectFault({
      times: 1000,
      path: /\/users\/imports\/[^/]+(\/config)?$/,
      response: { status: 401, json: { message: 'Unauthorized' } },
    });
    try {
      const error = await run().then(
        () => undefined,
        (err: unknown) => err,
      );
      const failure = (error as WorkflowFailedError).cause?.cause as { type?: string; message?: string };
      expect(failure.type).toBe('TargetAuthFailed');
      expect(failure.message).toMatch(
        /^Staffbase: GET \/api\/users\/imports\/\w+ rejected the credentials \(HTTP 401\)/,
      );
      // One refused call, no retries of a permanent failure.
      expect(
        staffbase.http.requests
          .slice(before)
          .filter((request) => request.headers.authorization && /\/users\/imports\/[^/]+$/.test(request.path)),
      ).toHaveLength(1);
    } finally {
      staffbase.http.clearFaults();
    }
  });
});
