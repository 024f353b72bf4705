import { join } from 'node:path';
import { ACTIVITY_SLOTS_ENV } from '../worker/activity-slots';
import type { BenchRow } from './report';
import { tail } from './processes';
import { BenchSession, dataRows } from './session';
import type { BenchSync } from './session';

/**
 * `syncs` different syncs of one export (each its own csv-file path) started at once, each by its own
 * `rosterflow run`, against ONE production worker. With `activitySlots` the worker gets
 * ROSTERFLOW_MAX_CONCURRENT_ACTIVITIES; without it, its default. Every run must succeed; the row's
 * employees/s is all of them over the wall time from the first start to the last exit.
 */
export async function runConcurrentCase(
  employees: number,
  syncs: number,
  makeSync: (id: string, outputPath: string) => BenchSync,
  home: string,
  activitySlots: number | undefined,
  slotsShown: number,
): Promise<Omit<BenchRow, 'ratioToScript'>> {
  const outputs = Array.from({ length: syncs }, (_, n) => ({
    id: `bench-${n + 1}`,
    path: join(home, `delivered-${n + 1}.csv`),
  }));
  const session = await BenchSession.open(
    home,
    outputs.map(({ id, path }) => makeSync(id, path)),
    activitySlots === undefined ? {} : { [ACTIVITY_SLOTS_ENV]: String(activitySlots) },
  );
  try {
    const worker = await session.startWorker();
    const started = process.hrtime.bigint();
    const limitMs = Math.max(10 * 60_000, employees * syncs * 3);
    const runs = outputs.map(({ id }) => session.runCli(id, limitMs));
    const codes = await Promise.all(runs.map((run) => run.exited));
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const [workerPeak, storePeak] = await Promise.all([worker.rss.stop(), session.storeRss.stop()]);
    const failures = codes.flatMap((code, n) =>
      code === 0 ? [] : [`${outputs[n]!.id} failed (exit ${code}): ${tail(runs[n]!.cli, 5)}`],
    );
    const succeeded = syncs - failures.length;
    const stats = await Promise.all(runs.filter((_, n) => codes[n] === 0).map((run) => session.historyOf(run.cli)));
    const rows = await Promise.all(outputs.filter((_, n) => codes[n] === 0).map(({ path }) => dataRows(path)));
    return {
      employees,
      target: 'csv-file',
      case: 'concurrent',
      wallSeconds,
      employeesPerSecond: (employees * succeeded) / wallSeconds,
      workerPeakRssBytes: workerPeak,
      storePeakRssBytes: storePeak,
      historyEvents: stats.length === 0 ? null : Math.max(...stats.map((stat) => stat.events)),
      largestPayloadBytes: stats.length === 0 ? null : Math.max(...stats.map((stat) => stat.largestPayloadBytes)),
      // Every sync's file holds the same rows; a differing one shows as a different minimum.
      rowsWritten: rows.length === 0 ? null : Math.min(...rows),
      concurrent: { syncs, succeeded, activitySlots: slotsShown, failures },
    };
  } finally {
    await session.close();
  }
}
