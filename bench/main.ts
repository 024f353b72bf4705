import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { stringify } from 'yaml';
import { startLocalStack } from '../tools/stack/stack';
import { writeExport } from './export';
import { historyStats } from './history-stats';
import { childServingPort, spawnNode, stopChild, tail, waitForOutput } from './processes';
import { benchPlan, formatTable, mergeResults, resultsFileName, SCRIPT_TARGET } from './report';
import type { BenchResults, BenchRow, BenchTarget } from './report';
import { PeakRssSampler } from './rss';
import { SOURCE_COLUMNS, startTarget } from './targets';

/**
 * `npm run bench`: what a user waits for. For each roster size, a synthetic HR export; the
 * hand-written script over it (its own process); then per target a fresh local stack (Temporal dev
 * server + the embedded store on random loopback ports), a production worker (dist/ with the prebuilt
 * workflow bundle) in its own process, and `rosterflow run` started by the CLI, timed from start to
 * exit. Prints one table and writes bench/results/<date>-<commit>.json. Run `npm run build` first
 * (`npm run bench` does).
 */
const ROOT = join(__dirname, '..');
const SYNC_ID = 'bench';

async function run(): Promise<void> {
  const plan = benchPlan(process.env);
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
  try {
    for (const { employees, targets } of plan) {
      const exportPath = join(scratch, `export-${employees}.csv`);
      await writeExport(exportPath, employees);
      const script = await runScript(exportPath, join(scratch, `script-${employees}.csv`));
      const scriptRow: BenchRow = {
        employees,
        target: SCRIPT_TARGET,
        wallSeconds: script.seconds,
        employeesPerSecond: employees / script.seconds,
        ratioToScript: 1,
        workerPeakRssBytes: script.peakRssBytes,
        storePeakRssBytes: null,
        historyEvents: null,
        largestPayloadBytes: null,
        rowsWritten: script.rows,
      };
      rows.push(scriptRow);
      console.log(progressLine(scriptRow));
      for (const target of targets) {
        const measured = await runSync(employees, target, exportPath, join(scratch, `${target}-${employees}`)).catch(
          (err: unknown) => {
            // One failed case (a fake that cannot take the roster, say) must not lose the others' numbers.
            failures.push(`${employees} employees into ${target}: ${err instanceof Error ? err.message : String(err)}`);
            console.error(failures.at(-1));
            return undefined;
          },
        );
        if (!measured) continue;
        storeKind = measured.storeKind;
        const row: BenchRow = { ...measured.row, ratioToScript: measured.row.wallSeconds / script.seconds };
        if (row.rowsWritten !== null && row.rowsWritten !== script.rows) {
          console.warn(`  ${target} wrote ${row.rowsWritten} rows, the script ${script.rows}: they differ`);
        }
        rows.push(row);
        console.log(progressLine(row));
        await save();
      }
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
  return `${row.employees} employees, ${row.target}: ${row.wallSeconds.toFixed(1)} s`;
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

/** One sync of `employees` into `target` on a fresh stack and worker, as a user runs it. */
async function runSync(
  employees: number,
  target: BenchTarget,
  exportPath: string,
  home: string,
): Promise<{ row: Omit<BenchRow, 'ratioToScript'>; storeKind: string }> {
  await mkdir(home, { recursive: true });
  const baseEnv = withoutConnectionSettings(process.env);
  const stack = await startLocalStack({
    home,
    persistent: false,
    ui: false,
    preferDefaultPorts: false,
    log: () => undefined,
    env: baseEnv,
  });
  const storePid = await childServingPort(Number(new URL(stack.mongoUri).port));
  if (storePid === undefined) throw new Error(`found no store process serving ${stack.mongoUri}`);
  const storeRss = new PeakRssSampler(storePid);
  const targetUnderTest = await startTarget(target, home);
  const configPath = join(home, 'rosterflow.yaml');
  await writeFile(
    configPath,
    stringify({
      version: 1,
      syncs: [
        {
          id: SYNC_ID,
          source: { type: 'csv', path: exportPath, columns: SOURCE_COLUMNS },
          target: targetUnderTest.config,
        },
      ],
    }),
  );
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    NODE_ENV: 'production',
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_NAMESPACE: stack.namespace,
    MONGODB_URI: stack.mongoUri,
    ROSTERFLOW_CONFIG: configPath,
    ROSTERFLOW_HOME: join(home, '.rosterflow'),
    ROSTERFLOW_WORKFLOW_BUNDLE: join(ROOT, 'dist', 'workflow-bundle.js'),
    ...targetUnderTest.env,
  };
  const worker = spawnNode([join(ROOT, 'dist', 'worker', 'main.js')], env, home);
  const workerRss = new PeakRssSampler(worker.pid);
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    await waitForOutput(worker, 'rosterflow worker: task queue', 120_000);
    const started = process.hrtime.bigint();
    const cli = spawnNode([join(ROOT, 'dist', 'cli', 'main.js'), 'run', SYNC_ID], env, home);
    // A generous limit, so a hung run ends the bench instead of hanging it.
    const limitMs = Math.max(10 * 60_000, employees * 3);
    const timer = setTimeout(() => cli.child.kill('SIGKILL'), limitMs);
    const code = await cli.exited;
    clearTimeout(timer);
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const [workerPeak, storePeak] = await Promise.all([workerRss.stop(), storeRss.stop()]);
    if (code !== 0) {
      throw new Error(`rosterflow run into ${target} failed (exit ${code}):\n${tail(cli)}\nworker:\n${tail(worker)}`);
    }
    const ids = /started (\S+) \(run (\S+)\)/.exec(cli.output());
    if (!ids) throw new Error(`rosterflow run did not print its workflow id:\n${tail(cli)}`);
    const client = new Client({ connection, namespace: stack.namespace });
    const history = await client.workflow.getHandle(ids[1]!, ids[2]).fetchHistory();
    const stats = historyStats(history);
    return {
      storeKind: stack.mongoKind,
      row: {
        employees,
        target,
        wallSeconds,
        employeesPerSecond: employees / wallSeconds,
        workerPeakRssBytes: workerPeak,
        storePeakRssBytes: storePeak,
        historyEvents: stats.events,
        largestPayloadBytes: stats.largestPayloadBytes,
        rowsWritten: targetUnderTest.outputPath === undefined ? null : await dataRows(targetUnderTest.outputPath),
      },
    };
  } finally {
    await workerRss.stop();
    await storeRss.stop();
    await stopChild(worker);
    await connection.close();
    await targetUnderTest.close();
    await stack.stop();
  }
}

/** The environment without the settings that would point the stack, worker or CLI somewhere else. */
function withoutConnectionSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(
      ([name]) => name !== 'MONGODB_URI' && !name.startsWith('TEMPORAL_') && !name.startsWith('ROSTERFLOW_'),
    ),
  );
}

/** Lines after the header of a CSV file whose cells hold no line breaks (every delivered cell is on one line). */
async function dataRows(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path)) {
    for (const byte of chunk as Buffer) if (byte === 10) lines += 1;
  }
  return Math.max(0, lines - 1);
}

run().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
