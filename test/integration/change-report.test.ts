import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEntry } from '../../report/compare';
import type { SyncRosterResult } from '../../workflows/sync-roster';
import { runCli } from '../support/cli';
import { singleCsvSync } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

let harness: Harness;
let original: string;

const SYNC = 'acme-report';
const HIRE =
  '1011,E-011,Mary,Jackson,,mary.jackson@acme.example,Active,2026-12-01,,Aerospace Engineer,Engineering,Hampton,1006,Wind Tunnel';

beforeAll(async () => {
  harness = await startHarness('change-report');
  await mkdir(join(harness.dir, 'out'), { recursive: true });
  original = await readFile(join(harness.dataDir, 'acme-hr-export.csv'), 'utf8');
});
afterAll(async () => {
  await harness?.close();
});

const outputOf = (syncId: string) => join(harness.dir, 'out', `${syncId}.csv`);

/** The example's CSV sync, to a file of its own, reading `file` under the data folder. */
async function configure(syncId: string, file: string, safety?: Record<string, unknown>): Promise<void> {
  await harness.writeConfig(singleCsvSync(syncId, file, outputOf(syncId), safety));
}

/** The example export with one hire, one leaver (Grace Hopper) and one department change (Katherine Johnson). */
function changedExport(): string {
  const lines = original.trim().split('\n');
  const edited = lines.map((line) => {
    if (line.startsWith('1002,')) return line.replace(',Active,2020-01-15,,', ',Terminated,2020-01-15,2026-12-04,');
    if (line.startsWith('1003,'))
      return line.replace(',Principal Analyst,Research,', ',Principal Analyst,Flight Research,');
    return line;
  });
  return `${[...edited, HIRE].join('\n')}\n`;
}

async function run(syncId: string, dryRun = false): Promise<SyncRosterResult> {
  const handle = await harness.client.workflow.start('syncRoster', {
    taskQueue: harness.taskQueue,
    workflowId: `${syncId}-${Math.random().toString(36).slice(2, 10)}`,
    args: [{ syncId, dryRun }],
  });
  return (await handle.result()) as SyncRosterResult;
}

async function storedReport(runId: string): Promise<ChangeEntry[]> {
  const record = await harness.store.runs.get(runId);
  expect(record?.changes).toBeDefined();
  const entries: ChangeEntry[] = [];
  for await (const entry of harness.store.changeReports.entries(runId, record!.changes!.attempt)) entries.push(entry);
  return entries;
}

describe('the change report', () => {
  it('names exactly the hire, the leaver and the changed department, in preview, the stored report and report', async () => {
    await writeFile(join(harness.dataDir, 'report-export.csv'), original);
    // One leaver of nine would trip the default 10% deactivation rule and hold the real run.
    await configure(SYNC, 'report-export.csv', { maxDeactivationPercent: 50 });
    const first = await run(SYNC);
    expect(first.delivered).not.toBeNull();
    // A first delivery adds everyone in the file.
    expect((await harness.store.runs.get(first.runId))?.changes).toMatchObject({
      added: 9,
      changed: 0,
      deactivated: 0,
    });

    await writeFile(join(harness.dataDir, 'report-export.csv'), changedExport());
    const preview = await runCli(harness, ['preview', SYNC, '--out', 'preview-files', '--csv', 'report.csv']);
    expect(preview.stderr).toContain('nothing is delivered');
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain('1 added, 1 changed, 1 deactivated, 7 unchanged');
    expect(preview.stdout).toContain('No safety rule trips.');
    expect(preview.stdout).toContain('Mary Jackson <mary.jackson@acme.example>  id 1011');
    expect(preview.stdout).toContain(
      'Grace Hopper <grace.hopper@acme.example>  id 1002: left (inactive with a termination date)',
    );
    expect(preview.stdout).toContain(
      'Kathy Johnson <katherine.johnson@acme.example>  id 1003: Department: Research -> Flight Research',
    );
    // The dry run delivered nothing: the target's file is still the first delivery's.
    const delivered = await readFile(outputOf(SYNC), 'utf8');
    expect(delivered).toContain('grace.hopper@acme.example');

    const record = await harness.store.runs.latestOfWorkflow(/dry run (\S+)/.exec(preview.stderr)?.[1] ?? 'missing');
    expect(record?.dryRun).toBe(true);
    const entries = await storedReport(record!.runId);
    expect(
      entries
        .map(({ kind, id, reason, columns }) => ({ kind, id, reason, columns }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    ).toEqual([
      { kind: 'deactivated', id: '1002', reason: 'left', columns: undefined },
      {
        kind: 'changed',
        id: '1003',
        reason: undefined,
        columns: [{ column: 'Department', before: 'Research', after: 'Flight Research' }],
      },
      { kind: 'added', id: '1011', reason: undefined, columns: undefined },
    ]);
    expect(record?.changes).toMatchObject({
      baselineRunId: first.runId,
      baselineDelivered: 9,
      added: 1,
      changed: 1,
      deactivated: 1,
      unchanged: 7,
      deactivatedBy: { left: 1 },
      changedPercent: 33.3,
    });

    const csv = parse<Record<string, string>>(await readFile(join(harness.dir, 'report.csv'), 'utf8'), {
      columns: true,
    });
    expect(csv.map((row) => `${row['change']} ${row['source_id']} ${row['changed_columns']}`).sort()).toEqual([
      'added 1011 ',
      'changed 1003 Department',
      'deactivated 1002 ',
    ]);

    // The preview's file is exactly what the real run then delivers.
    const previewed = await readFile(join(harness.dir, 'preview-files', `${SYNC}.csv`), 'utf8');
    const real = await run(SYNC);
    expect(await readFile(outputOf(SYNC), 'utf8')).toBe(previewed);
    expect(await storedReport(real.runId)).toHaveLength(3);

    const report = await runCli(harness, ['report', real.runId, '--json']);
    expect(report.code).toBe(0);
    const shown = JSON.parse(report.stdout) as { changes: { added: number }; first: Record<string, ChangeEntry[]> };
    expect(shown.changes.added).toBe(1);
    expect(shown.first['deactivated']?.map((entry) => entry.name)).toEqual(['Grace Hopper']);
  });

  it('lists who a held run would deactivate, in `holds` and its CSV', async () => {
    const syncId = 'acme-report-held';
    await writeFile(join(harness.dataDir, 'held-export.csv'), original);
    await configure(syncId, 'held-export.csv', { maxDeactivations: 0 });
    await run(syncId);
    await writeFile(join(harness.dataDir, 'held-export.csv'), changedExport());
    const handle = await harness.client.workflow.start('syncRoster', {
      taskQueue: harness.taskQueue,
      workflowId: `${syncId}-held`,
      args: [{ syncId, dryRun: false }],
    });
    for (let tries = 0; tries < 240 && !(await handle.query('hold')); tries += 1)
      await new Promise((resolve) => setTimeout(resolve, 250));

    const holds = await runCli(harness, ['holds', syncId, '--csv', 'held.csv']);
    expect(holds.code).toBe(0);
    expect(holds.stdout).toContain('Would deactivate (1):');
    expect(holds.stdout).toContain('Grace Hopper <grace.hopper@acme.example>  id 1002: left');
    const csv = parse<Record<string, string>>(await readFile(join(harness.dir, 'held.csv'), 'utf8'), { columns: true });
    expect(csv).toEqual([
      expect.objectContaining({
        sync: syncId,
        workflow: `${syncId}-held`,
        change: 'deactivated',
        source_id: '1002',
        name: 'Grace Hopper',
      }),
    ]);
    const rejected = await runCli(harness, ['reject', `${syncId}-held`, '--reason', 'checking with HR']);
    expect(rejected.code).toBe(0);
  });

  it("drops the files and reports of runs past the retention, never a sync's baseline", async () => {
    const runs = await harness.store.runs.recent({ syncId: SYNC, limit: 10 });
    const baseline = await harness.store.snapshots.current(SYNC);
    const older = runs.filter((run) => run.runId !== baseline?.runId && run.changes);
    expect(older.length).toBeGreaterThan(0);
    expect(await harness.store.expireRunData(new Date(Date.now() + 1000))).toBeGreaterThanOrEqual(older.length);

    for (const run of older) {
      expect((await harness.store.runs.get(run.runId))?.dataExpiredAt).toBeInstanceOf(Date);
      expect(await harness.store.changeReports.first(run.runId, run.changes!.attempt, 'added', 1)).toEqual([]);
    }
    const expired = await runCli(harness, ['report', older[0]!.runId]);
    expect(expired.code).toBe(0);
    expect(expired.stdout).toContain('were dropped on');
    // The last delivery stays whole: its report, and its people for the next run's comparison.
    const kept = await harness.store.runs.get(baseline!.runId);
    expect(kept?.dataExpiredAt).toBeUndefined();
    expect(await harness.store.changeReports.first(kept!.runId, kept!.changes!.attempt, 'deactivated', 5)).toHaveLength(
      1,
    );
    expect(await harness.store.artifactPages.peopleColumns(kept!.runId)).toEqual(
      expect.arrayContaining(['Department']),
    );
  });
});
