import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_DB_NAME } from '../config/runtime';
import type { RunRecord } from '../store/run-record';
import { writeChangedExport } from './export';
import type { BenchRow, ChangesMeasure } from './report';
import { tail } from './processes';
import { resetPeakRss, PeakRssSampler } from './rss';
import { BenchSession, dataRows, startedIds } from './session';
import type { BenchSync } from './session';

/**
 * The change report at size: the csv-file sync delivers the export once (the baseline), then a
 * changed export (bench/export.ts: about 1% of people hired, moved, left or gone) on the same stack
 * and worker. The second run is timed and its peaks measured on their own; its report, compared
 * person by person against the 1M-person baseline, must find exactly the changes the export made.
 */
export async function runChangesCase(
  employees: number,
  makeSync: (exportPath: string) => BenchSync,
  baselineExport: string,
  home: string,
): Promise<Omit<BenchRow, 'ratioToScript'>> {
  await mkdir(home, { recursive: true });
  const changedExport = join(home, 'changed.csv');
  const sync = makeSync(join(home, 'export.csv'));
  const session = await BenchSession.open(home, [sync], {});
  try {
    const worker = await session.startWorker();
    const limit = Math.max(10 * 60_000, employees * 3);
    await linkExport(baselineExport, join(home, 'export.csv'));
    const baseline = session.runCli(sync.id, limit);
    if ((await baseline.exited) !== 0) throw new Error(`the baseline run failed:\n${tail(baseline.cli)}`);

    const expected = await writeChangedExport(changedExport, employees);
    await linkExport(changedExport, join(home, 'export.csv'));
    await Promise.all([resetPeakRss(worker.process.pid), resetPeakRss(session.storeRss.pid)]);
    const [workerRss, storeRss] = [new PeakRssSampler(worker.process.pid), new PeakRssSampler(session.storeRss.pid)];
    const started = process.hrtime.bigint();
    const run = session.runCli(sync.id, limit);
    const code = await run.exited;
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const [workerPeak, storePeak] = await Promise.all([workerRss.stop(), storeRss.stop()]);
    if (code !== 0) throw new Error(`the changed run failed (exit ${code}):\n${tail(run.cli)}`);
    const { runId } = startedIds(run.cli);
    const record = await session.mongo.db(DEFAULT_DB_NAME).collection<RunRecord>('runs').findOne({ _id: runId });
    const changes = record?.changes;
    if (!changes) throw new Error(`run ${runId} recorded no change report`);
    const measured: ChangesMeasure = {
      added: changes.added,
      changed: changes.changed,
      deactivated: changes.deactivated,
      unchanged: changes.unchanged,
      reportSeconds: (changes.durationMs ?? 0) / 1000,
      expected,
    };
    const stats = await session.historyOf(run.cli);
    const outputPath = (sync.target as { path?: string }).path;
    return {
      employees,
      target: 'csv-file',
      case: 'changed',
      wallSeconds,
      employeesPerSecond: employees / wallSeconds,
      workerPeakRssBytes: workerPeak,
      storePeakRssBytes: storePeak,
      historyEvents: stats.events,
      largestPayloadBytes: stats.largestPayloadBytes,
      rowsWritten: outputPath === undefined ? null : await dataRows(outputPath),
      changes: measured,
    };
  } finally {
    await session.close();
  }
}

/** Points the sync's export path at `source` (a symlink: the export is not copied). */
async function linkExport(source: string, path: string): Promise<void> {
  await rm(path, { force: true });
  await symlink(source, path);
}
