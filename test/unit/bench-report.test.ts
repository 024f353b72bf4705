import { describe, expect, it } from 'vitest';
import { historyStats } from '../../bench/history-stats';
import { benchExtras, benchPlan, formatTable, mergeResults, resultsFileName } from '../../bench/report';
import type { BenchResults, BenchRow, KillMeasure, ScimMeasure } from '../../bench/report';
import { parseProcStatus } from '../../bench/rss';
import { DEFAULT_ACTIVITY_SLOTS } from '../../worker/activity-slots';

const STATUS = [
  'Name:\tnode',
  'VmPeak:\t 1203456 kB',
  'VmSize:\t 1103456 kB',
  'VmHWM:\t  251000 kB',
  'VmRSS:\t  200000 kB',
  'Threads:\t11',
].join('\n');

function row(fields: Partial<BenchRow>): BenchRow {
  return {
    employees: 100_000,
    target: 'csv-file',
    case: 'single',
    wallSeconds: 64.04,
    employeesPerSecond: 1561.5,
    ratioToScript: 58.2,
    workerPeakRssBytes: 734 * 1024 * 1024,
    storePeakRssBytes: 3960 * 1024 * 1024,
    historyEvents: 53,
    largestPayloadBytes: 1234,
    rowsWritten: 95_000,
    ...fields,
  };
}

describe('parseProcStatus', () => {
  it('reads the resident set and its high-water mark in bytes', () => {
    expect(parseProcStatus(STATUS)).toEqual({ rssBytes: 200_000 * 1024, peakBytes: 251_000 * 1024 });
  });

  it('gives nothing for a status without memory lines (a zombie, a kernel thread)', () => {
    expect(parseProcStatus('Name:\tkthreadd\nState:\tS (sleeping)\n')).toBeUndefined();
  });
});

describe('historyStats', () => {
  const payload = (bytes: number) => ({
    metadata: { encoding: new TextEncoder().encode('json/plain') },
    data: new Uint8Array(bytes),
  });

  it('counts events and finds the largest payload at any depth', () => {
    const stats = historyStats({
      events: [
        { workflowExecutionStartedEventAttributes: { input: { payloads: [payload(40)] } } },
        { activityTaskCompletedEventAttributes: { result: { payloads: [payload(500), payload(7)] } } },
        { timerStartedEventAttributes: { timerId: '1' } },
      ],
    });
    // Each payload also carries `encoding` (8 bytes) and `json/plain` (10 bytes).
    expect(stats).toEqual({ events: 3, largestPayloadBytes: 518, payloadBytes: 40 + 500 + 7 + 3 * 18 });
  });

  it('gives zeros for an empty history', () => {
    expect(historyStats({ events: null })).toEqual({ events: 0, largestPayloadBytes: 0, payloadBytes: 0 });
  });
});

function scimRow(pass: 'provisioned' | 'rerun', scim: ScimMeasure, fields: Partial<BenchRow> = {}): BenchRow {
  return row({ employees: 10_000, target: 'scim', case: pass, rowsWritten: null, scim, ...fields });
}

const KILL: KillMeasure = {
  killedAtSeconds: 40.2,
  heartbeatTimeoutSeconds: 29.96,
  resumedAfterSeconds: 35.04,
  checkpointRowsAtKill: 400_500,
  resumedFromRows: 400_500,
  rowsReadAtKill: 401_377,
  reworkRows: 877,
  heartbeatPulled: 380_000,
  checkpointIntervalRows: 500,
  sha256: 'ab'.repeat(32),
  identical: true,
};

describe('formatTable', () => {
  it('prints one aligned row per case with units and dashes for what the script has not', () => {
    const table = formatTable([
      row({
        target: 'script',
        wallSeconds: 1.1,
        employeesPerSecond: 90_909,
        ratioToScript: 1,
        workerPeakRssBytes: 85 * 1024 * 1024,
        storePeakRssBytes: null,
        historyEvents: null,
        largestPayloadBytes: null,
      }),
      row({}),
    ]).split('\n');
    expect(table[0]).toBe(
      'employees  target    case       wall  employees/s  x script  worker peak RSS  store peak RSS  history events  largest payload  notes',
    );
    expect(table[2]).toBe(
      '  100,000  script    one run   1.1 s       90,909      1.0x            85 MB               -               -                -',
    );
    expect(table[3]).toBe(
      '  100,000  csv-file  one run  64.0 s        1,562     58.2x           734 MB         3960 MB              53          1,234 B',
    );
  });

  it('names the kill point and says whether the bytes match, what was read again and how long the retry waited', () => {
    const [line] = formatTable([row({ employees: 1_000_000, case: 'killed', kill: KILL })])
      .split('\n')
      .slice(2);
    expect(line).toContain('killed at 40%');
    expect(line).toMatch(
      /identical bytes; re-read 877 rows \(checkpoint every 500\); heartbeat timeout after 30\.0 s, resumed after 35\.0 s$/,
    );
    const differing = formatTable([
      row({ case: 'killed', kill: { ...KILL, identical: false, reworkRows: null, heartbeatTimeoutSeconds: null } }),
    ]);
    expect(differing).toContain('BYTES DIFFER; rework unknown');
    expect(differing).toContain('heartbeat timeout after ?');
  });

  it('shows the concurrency case with its activity slots, a dash for the ratio, and how many succeeded', () => {
    const [line] = formatTable([
      row({
        case: 'concurrent',
        ratioToScript: null,
        concurrent: { syncs: 10, succeeded: 9, activitySlots: 4, failures: ['bench-3 failed (exit 1)'] },
      }),
    ])
      .split('\n')
      .slice(2);
    expect(line).toMatch(/^ {2}100,000 {2}csv-file {2}10 at once, 4 slots {2}64\.0 s {8}1,562 {9}- /);
    expect(line).toMatch(/9\/10 succeeded: see failures$/);
  });

  it('shows the SCIM passes with the writes sent and the users the app holds, loudly when they are not all there', () => {
    const lines = formatTable([
      scimRow('provisioned', { writes: 9_500, usersInApp: 9_500, expectedUsers: 9_500 }),
      scimRow('rerun', { writes: 0, usersInApp: 9_499, expectedUsers: 9_500 }),
    ])
      .split('\n')
      .slice(2);
    expect(lines[0]).toBe(
      '   10,000  scim    provisioned from empty  64.0 s        1,562     58.2x           734 MB         3960 MB              53          1,234 B  9,500 writes, 9,500 users in the app',
    );
    expect(lines[1]).toMatch(/^ {3}10,000 {2}scim {4}no-change re-run {8}64\.0 s /);
    expect(lines[1]).toMatch(/ 0 writes, APP HOLDS 9,499 USERS, expected 9,500$/);
  });
});

describe('benchExtras', () => {
  const plan = benchPlan({ BENCH_SIZES: '10000,1000000', BENCH_TARGETS: 'csv-file' });

  it('kills the largest csv-file run, runs it again after 1% changed, and starts ten 100k syncs at once by default', () => {
    expect(benchExtras({}, plan)).toEqual({
      kill: { employees: 1_000_000 },
      changes: { employees: 1_000_000 },
      concurrent: { syncs: 10, employees: 100_000, slots: [100, DEFAULT_ACTIVITY_SLOTS] },
      scim: { employees: 10_000 },
    });
  });

  it('turns each off with 0 and skips the kill when the largest size has no csv-file run', () => {
    expect(benchExtras({ BENCH_KILL: '0', BENCH_CHANGES: '0', BENCH_CONCURRENT: '0', BENCH_SCIM: '0' }, plan)).toEqual({
      kill: undefined,
      changes: undefined,
      concurrent: undefined,
      scim: undefined,
    });
    const vendorsOnly = benchPlan({ BENCH_SIZES: '1000', BENCH_TARGETS: 'allstacks' });
    expect(
      benchExtras(
        { BENCH_CONCURRENT: '3', BENCH_CONCURRENT_SIZE: '5_000', BENCH_CONCURRENT_SLOTS: '1, 8', BENCH_SCIM: '2_000' },
        vendorsOnly,
      ),
    ).toEqual({
      kill: undefined,
      changes: undefined,
      concurrent: { syncs: 3, employees: 5_000, slots: [1, 8] },
      scim: { employees: 2_000 },
    });
  });

  it('names the setting when it is not a whole number', () => {
    expect(() => benchExtras({ BENCH_CONCURRENT: 'ten' }, plan)).toThrow(
      'BENCH_CONCURRENT must be a whole number, 0 to turn it off (got "ten")',
    );
    expect(() => benchExtras({ BENCH_SCIM: '10k' }, plan)).toThrow(
      'BENCH_SCIM must be a whole number, 0 to turn it off (got "10k")',
    );
    expect(() => benchExtras({ BENCH_CONCURRENT_SLOTS: '4,0' }, plan)).toThrow(
      'BENCH_CONCURRENT_SLOTS must list activity limits from 1 to 1000, comma-separated (got "4,0")',
    );
  });
});

describe('benchPlan', () => {
  it('runs csv-file at every default size and the largest also into every vendor fake', () => {
    expect(benchPlan({})).toEqual([
      { employees: 10_000, targets: ['csv-file'] },
      { employees: 100_000, targets: ['csv-file'] },
      { employees: 1_000_000, targets: ['csv-file', 'allstacks', 'staffbase', 'oneroster-sftp'] },
    ]);
  });

  it('runs every listed size into every listed target', () => {
    expect(benchPlan({ BENCH_SIZES: '10000, 100_000', BENCH_TARGETS: 'csv-file,allstacks' })).toEqual([
      { employees: 10_000, targets: ['csv-file', 'allstacks'] },
      { employees: 100_000, targets: ['csv-file', 'allstacks'] },
    ]);
  });

  it('names the setting and what it takes when it is wrong', () => {
    expect(() => benchPlan({ BENCH_TARGETS: 'csv-file,workday' })).toThrow(
      'BENCH_TARGETS must list targets out of csv-file, allstacks, staffbase, oneroster-sftp, comma-separated (got "csv-file,workday")',
    );
    expect(() => benchPlan({ BENCH_SIZES: '10k' })).toThrow(
      'BENCH_SIZES must list positive whole numbers of employees, comma-separated (got "10k")',
    );
  });
});

describe('results file', () => {
  const results = (rows: BenchRow[]): BenchResults => ({
    commit: 'abc1234',
    date: '2026-12-04T20:00:00.000Z',
    machine: { cpus: 2, memoryBytes: 1, node: 'v20', store: 'ferretdb' },
    rows,
    failures: [],
  });

  it('is named by day and commit', () => {
    expect(resultsFileName(new Date('2026-12-04T20:00:00Z'), 'abc1234')).toBe('2026-12-04-abc1234.json');
  });

  it('keeps the sizes a later run did not measure and replaces every row of the sizes it did', () => {
    const earlier = results([
      row({ employees: 10_000, target: 'script' }),
      row({ employees: 10_000 }),
      row({ employees: 100_000, target: 'script' }),
      row({ employees: 100_000 }),
      row({ employees: 100_000, target: 'allstacks' }),
    ]);
    const merged = mergeResults(
      earlier,
      results([row({ employees: 100_000, target: 'script', wallSeconds: 2 }), row({ employees: 100_000 })]),
    );
    expect(merged.rows.map((entry) => [entry.employees, entry.target, entry.wallSeconds])).toEqual([
      [10_000, 'script', 64.04],
      [10_000, 'csv-file', 64.04],
      [100_000, 'script', 2],
      [100_000, 'csv-file', 64.04],
    ]);
  });

  it('keeps earlier concurrency rows when a later run measured only that size alone, and orders rows by case', () => {
    const concurrent = (slots: number) =>
      row({
        case: 'concurrent',
        ratioToScript: null,
        concurrent: { syncs: 10, succeeded: 10, activitySlots: slots, failures: [] },
      });
    const earlier = results([concurrent(4), concurrent(100)]);
    const merged = mergeResults(
      earlier,
      results([row({ case: 'killed', kill: KILL }), row({ target: 'allstacks' }), row({ target: 'script' }), row({})]),
    );
    expect(merged.rows.map((entry) => [entry.target, entry.case, entry.concurrent?.activitySlots])).toEqual([
      ['script', 'single', undefined],
      ['csv-file', 'single', undefined],
      ['allstacks', 'single', undefined],
      ['csv-file', 'killed', undefined],
      ['csv-file', 'concurrent', 4],
      ['csv-file', 'concurrent', 100],
    ]);
    expect(mergeResults(earlier, results([concurrent(100)])).rows).toHaveLength(1);
  });

  it('keeps the SCIM rows apart from the size they share: each run replaces only what it measured', () => {
    const scim = { writes: 0, usersInApp: 9_500, expectedUsers: 9_500 };
    const scimRows = (wallSeconds: number) => [
      scimRow('rerun', scim, { wallSeconds }),
      scimRow('provisioned', scim, { target: 'script', wallSeconds }),
      scimRow('provisioned', scim, { wallSeconds }),
      scimRow('rerun', scim, { target: 'script', wallSeconds }),
    ];
    const sized = [row({ employees: 10_000, target: 'script' }), row({ employees: 10_000 })];
    const shown = (merged: BenchResults) => merged.rows.map((entry) => [entry.target, entry.case, entry.wallSeconds]);

    // A csv-file run at 10k keeps the earlier SCIM rows of 10k; they sort after it, script first in each pass.
    expect(shown(mergeResults(results(scimRows(3)), results(sized)))).toEqual([
      ['script', 'single', 64.04],
      ['csv-file', 'single', 64.04],
      ['script', 'provisioned', 3],
      ['scim', 'provisioned', 3],
      ['script', 'rerun', 3],
      ['scim', 'rerun', 3],
    ]);
    // A SCIM run replaces the SCIM rows and keeps the csv-file ones.
    const merged = mergeResults(results([...sized, ...scimRows(3)]), results(scimRows(5)));
    expect(shown(merged).filter(([, , seconds]) => seconds === 3)).toEqual([]);
    expect(merged.rows).toHaveLength(6);
  });
});
