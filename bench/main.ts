import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ACTIVITY_SLOTS } from '../worker/activity-slots';
import { runChangesCase } from './changes-case';
import { runConcurrentCase } from './concurrent-case';
import { writeExport } from './export';
import { runKillCase } from './kill-case';
import { spawnNode, tail } from './processes';
import { runScimCase, runScimScript } from './scim-case';
import { benchExtras, benchPlan, formatTable, mergeResults, resultsFileName, SCRIPT_TARGET } from './report';
import type { BenchResults, BenchRow, BenchTarget } from './report';
import { BenchSession, dataRows, ROOT, sha256File } from './session';
import type { BenchSync } from './session';
import { CSV_FILE_COLUMNS, SOURCE_COLUMNS, startTarget } from './targets';

/**
 * `npm run bench`: what a user waits for. For each roster size, a synthetic HR export; the
 * hand-written script over it (its own process); then per target a fresh local stack (Temporal dev
 * server + the embedded store on random loopback ports), a production worker (dist/ with the prebuilt
 * workflow bundle) in its own process, and `rosterflow run` started by the CLI, timed from start to
 * exit. Then the extra cases: the csv-file run killed mid-build, the csv-file run again after 1% of
 * its people changed (the change report at full size), syncs at once, and a SCIM app provisioned
 * from empty and synced again unchanged (bench/scim-case.ts, beside its own hand-written script).
 * Prints one table and writes bench/results/<date>-<commit>.json. Run `npm run build` first
 * (`npm run bench` does).
 */
const SYNC_ID = 'bench';

async function run(): Promise<void> {
  const plan = benchPlan(process.env);
  const extras = benchExtras(process.env, plan);
  const scratch = await mkdtemp(join(tmpdir(), 'rosterflow-bench-'));
  const rows: BenchRow[] = [];
  const failures: string[] = [];
  let storeKind = 'unknown';

  // The code measured: results files of earlier runs do not make it dirty.
  const commit =
    git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--', '.', ':!bench/results') ? '-dirty' : '');
  const started = new Date();

  /** Writes the results file; called after every case, so a case that hangs loses no finished row. */
  async function save(): Promise<string> {
    const now = new Date();
    const results: BenchResults = {
      commit,
      date: now.toISOString(),
      machine: { cpus: cpus().length, memoryBytes: totalmem(), node: process.version, store: storeKind },
      rows,
      failures,
    };
    const dir = join(ROOT, 'bench', 'results');
    await mkdir(dir, { recursive: true });
    const path = join(dir, resultsFileName(started, commit));
    const earlier = await readFile(path, 'utf8').then(
      (text) => JSON.parse(text) as BenchResults,
      () => undefined,
    );
    await writeFile(path, `${JSON.stringify(mergeResults(earlier, results), null, 2)}\n`);
    return path;
  }
  /** Runs one case; a failed one (a fake that cannot take the roster, say) must not lose the others' numbers. */
  async function attempt<T>(label: string, work: () => Promise<T>): Promise<T | undefined> {
    return work().catch((err: unknown) => {
      failures.push(`${label}: ${err instanceof Error ? err.message : String(err)}`);
      console.error(failures.at(-1));
      return undefined;
    });
  }
  async function record(row: BenchRow): Promise<void> {
    rows.push(row);
    console.log(progressLine(row));
    await save();
  }

  try {
    for (const { employees, targets } of plan) {
      const exportPath = join(scratch, `export-${employees}.csv`);
      await writeExport(exportPath, employees);
      const script = await runScript(exportPath, join(scratch, `script-${employees}.csv`));
      await record({
        employees,
        target: SCRIPT_TARGET,
        case: 'single',
        wallSeconds: script.seconds,
        employeesPerSecond: employees / script.seconds,
        ratioToScript: 1,
        workerPeakRssBytes: script.peakRssBytes,
        storePeakRssBytes: null,
        historyEvents: null,
        largestPayloadBytes: null,
        rowsWritten: script.rows,
      });
      const checkRows = (row: BenchRow) => {
        if (row.rowsWritten !== null && row.rowsWritten !== script.rows) {
          console.warn(
            `  ${row.target} (${row.case}) wrote ${row.rowsWritten} rows, the script ${script.rows}: they differ`,
          );
        }
      };
      let referenceSha256: string | undefined;
      for (const target of targets) {
        const home = join(scratch, `${target}-${employees}`);
        const measured = await attempt(`${employees} employees into ${target}`, () =>
          runSync(employees, target, exportPath, home),
        );
        if (!measured) continue;
        storeKind = measured.storeKind;
        if (target === 'csv-file') referenceSha256 = measured.sha256;
        const row: BenchRow = { ...measured.row, ratioToScript: measured.row.wallSeconds / script.seconds };
        checkRows(row);
        await record(row);
        // The uninterrupted csv-file run is the kill case's reference: it runs right after it.
        if (target === 'csv-file' && extras.kill?.employees === employees) {
          const killHome = join(scratch, `killed-${employees}`);
          await mkdir(killHome, { recursive: true });
          const outputPath = join(killHome, 'delivered.csv');
          const killed = await attempt(`${employees} employees into csv-file, worker killed mid-build`, () =>
            runKillCase(
              employees,
              csvFileSync(exportPath, outputPath),
              outputPath,
              exportPath,
              killHome,
              referenceSha256,
            ),
          );
          if (killed) {
            const killedRow: BenchRow = { ...killed, ratioToScript: killed.wallSeconds / script.seconds };
            checkRows(killedRow);
            await record(killedRow);
          }
        }
        // The same sync again after 1% of its people changed: the change report against a full-size baseline.
        if (target === 'csv-file' && extras.changes?.employees === employees) {
          const changesHome = join(scratch, `changes-${employees}`);
          const changed = await attempt(`${employees} employees into csv-file, run again after 1% changed`, () =>
            runChangesCase(
              employees,
              (path) => csvFileSync(path, join(changesHome, 'delivered.csv')),
              exportPath,
              changesHome,
            ),
          );
          if (changed) await record({ ...changed, ratioToScript: changed.wallSeconds / script.seconds });
        }
      }
      await rm(exportPath, { force: true });
    }
    if (extras.concurrent) {
      const { syncs, employees, slots: limits } = extras.concurrent;
      const exportPath = join(scratch, `export-concurrent-${employees}.csv`);
      await writeExport(exportPath, employees);
      // By default without our limit (the SDK's own) and with it, so the limit's effect is measured.
      for (const slots of limits) {
        const home = join(scratch, `concurrent-${slots}`);
        await mkdir(home, { recursive: true });
        const measured = await attempt(
          `${syncs} syncs of ${employees} employees at once, ${slots} activity slots`,
          () =>
            runConcurrentCase(
              employees,
              syncs,
              (id, outputPath) => csvFileSync(exportPath, outputPath, id),
              home,
              slots === DEFAULT_ACTIVITY_SLOTS ? undefined : slots,
              slots,
            ),
        );
        if (!measured) continue;
        failures.push(...(measured.concurrent?.failures ?? []));
        await record({ ...measured, ratioToScript: null });
      }
      await rm(exportPath, { force: true });
    }
    if (extras.scim) {
      const { employees } = extras.scim;
      const exportPath = join(scratch, `export-scim-${employees}.csv`);
      await writeExport(exportPath, employees);
      const script = await attempt(`the hand-written SCIM script over ${employees} employees`, () =>
        runScimScript(employees, exportPath, record),
      );
      await attempt(`${employees} employees into scim, then the same export again`, () =>
        runScimCase(
          employees,
          (target) => benchSync(SYNC_ID, exportPath, target),
          join(scratch, `scim-${employees}`),
          script ?? {},
          record,
        ),
      );
      await rm(exportPath, { force: true });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  console.log(`\n${formatTable(rows)}\n`);
  console.log(`Results in ${await save()}`);
  if (failures.length > 0) {
    console.error(`\n${failures.length} case(s) failed:\n${failures.join('\n')}`);
    process.exitCode = 1;
  }
}

function progressLine(row: BenchRow): string {
  const how = row.case === 'killed' ? ', worker killed' : row.concurrent ? `, ${row.concurrent.syncs} at once` : '';
  const scim = row.scim ? `, ${row.case === 'rerun' ? 're-run' : 'from empty'}` : '';
  const writes = row.scim ? `, ${row.scim.writes} writes` : '';
  return `${row.employees} employees, ${row.target}${how}${scim}: ${row.wallSeconds.toFixed(1)} s${writes}`;
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
}

async function runScript(
  exportPath: string,
  outPath: string,
): Promise<{ seconds: number; rows: number; peakRssBytes: number }> {
  const started = process.hrtime.bigint();
  const child = spawnNode([join(ROOT, 'bench', 'script.mjs'), exportPath, outPath], process.env, ROOT);
  const code = await child.exited;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`the hand-written script failed (exit ${code}):\n${tail(child)}`);
  const report = JSON.parse(child.output().trim().split('\n').pop() ?? '{}') as { rows: number; peakRssBytes: number };
  return { seconds, ...report };
}

/** The csv-file sync of the kill and concurrency cases, into `outputPath`. */
function csvFileSync(exportPath: string, outputPath: string, id = SYNC_ID): BenchSync {
  return benchSync(id, exportPath, { type: 'csv-file', path: outputPath, columns: CSV_FILE_COLUMNS });
}

/** The sync the bench runs: the export into `target`. */
function benchSync(id: string, exportPath: string, target: Record<string, unknown>): BenchSync {
  return { id, source: { type: 'csv', path: exportPath, columns: SOURCE_COLUMNS }, target };
}

/** One sync of `employees` into `target` on a fresh stack and worker, as a user runs it. */
async function runSync(
  employees: number,
  target: BenchTarget,
  exportPath: string,
  home: string,
): Promise<{ row: Omit<BenchRow, 'ratioToScript'>; storeKind: string; sha256: string | undefined }> {
  await mkdir(home, { recursive: true });
  const targetUnderTest = await startTarget(target, home);
  const session = await BenchSession.open(
    home,
    [benchSync(SYNC_ID, exportPath, targetUnderTest.config)],
    targetUnderTest.env,
  ).catch(async (err: unknown) => {
    await targetUnderTest.close();
    throw err;
  });
  try {
    const worker = await session.startWorker();
    const started = process.hrtime.bigint();
    // A generous limit, so a hung run ends the bench instead of hanging it.
    const run = session.runCli(SYNC_ID, Math.max(10 * 60_000, employees * 3));
    const code = await run.exited;
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const [workerPeak, storePeak] = await Promise.all([worker.rss.stop(), session.storeRss.stop()]);
    if (code !== 0) {
      throw new Error(
        `rosterflow run into ${target} failed (exit ${code}):\n${tail(run.cli)}\nworker:\n${session.workerTails()}`,
      );
    }
    const stats = await session.historyOf(run.cli);
    // BENCH_SHOW_RUN=1: what the CLI printed (each step's time), and the CPU each process spent.
    if (process.env['BENCH_SHOW_RUN']) {
      const cpu = await Promise.all([cpuSeconds(worker.process.pid), cpuSeconds(session.storeRss.pid)]);
      console.log(`${run.cli.output().trimEnd()}\n  cpu: worker ${cpu[0]} s, store ${cpu[1]} s`);
    }
    const { outputPath } = targetUnderTest;
    return {
      storeKind: session.stack.mongoKind,
      sha256: outputPath === undefined ? undefined : await sha256File(outputPath),
      row: {
        employees,
        target,
        case: 'single',
        wallSeconds,
        employeesPerSecond: employees / wallSeconds,
        workerPeakRssBytes: workerPeak,
        storePeakRssBytes: storePeak,
        historyEvents: stats.events,
        largestPayloadBytes: stats.largestPayloadBytes,
        rowsWritten: outputPath === undefined ? null : await dataRows(outputPath),
      },
    };
  } finally {
    await session.close();
    await targetUnderTest.close();
  }
}

/** User plus system CPU a running process has spent, from /proc/<pid>/stat (clock ticks of 1/100 s). */
async function cpuSeconds(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (in parentheses): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / 100).toFixed(1);
}

run().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
