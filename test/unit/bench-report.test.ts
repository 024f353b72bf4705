import { describe, expect, it } from 'vitest';
import { historyStats } from '../../bench/history-stats';
import { benchPlan, formatTable, mergeResults, resultsFileName } from '../../bench/report';
import type { BenchResults, BenchRow } from '../../bench/report';
import { parseProcStatus } from '../../bench/rss';

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
      'employees  target      wall  employees/s  x script  worker peak RSS  store peak RSS  history events  largest payload',
    );
    expect(table[2]).toBe(
      '  100,000  script     1.1 s       90,909      1.0x            85 MB               -               -                -',
    );
    expect(table[3]).toBe(
      '  100,000  csv-file  64.0 s        1,562     58.2x           734 MB         3960 MB              53          1,234 B',
    );
    expect(new Set(table.map((line) => line.length)).size).toBe(1);
  });
});

describe('benchPlan', () => {
  it('runs csv-file at every default size and the largest also into every vendor fake', () => {
    expect(benchPlan({})).toEqual([
      { employees: 10_000, targets: ['csv-file'] },
      { employees: 100_000, targets: ['csv-file'] },
      { employees: 1_000_000, targets: ['csv-file', 'allstacks', 'staffbase', 'oneroster'] },
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
      'BENCH_TARGETS must list targets out of csv-file, allstacks, staffbase, oneroster, comma-separated (got "csv-file,workday")',
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
});
