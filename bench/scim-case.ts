import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { activeEmployees } from './export';
import { spawnNode, tail } from './processes';
import { SCIM_TARGET, SCRIPT_TARGET } from './report';
import type { BenchRow, ScimMeasure } from './report';
import { PeakRssSampler, resetPeakRss } from './rss';
import { ScimApp } from './scim-app';
import { BenchSession, ROOT } from './session';
import type { BenchSync } from './session';

/** The two passes over one export: into the empty app, then the same export again (nothing to change). */
export const SCIM_PASSES = ['provisioned', 'rerun'] as const;
export type ScimPass = (typeof SCIM_PASSES)[number];

const TOKEN_ENV = 'BENCH_SCIM_TOKEN';
const LABEL: Record<ScimPass, string> = { provisioned: 'provisioning from empty', rerun: 'no-change re-run' };

/**
 * bench/scim-script.mjs over the export, against a fresh empty app of its own: once into the empty
 * app, once more on the same export, each its own process timed from spawn to exit (as
 * bench/script.mjs is). Records a row per pass; answers each pass's wall seconds, for the ratios.
 */
export async function runScimScript(
  employees: number,
  exportPath: string,
  record: (row: BenchRow) => Promise<void>,
): Promise<Partial<Record<ScimPass, number>>> {
  const seconds: Partial<Record<ScimPass, number>> = {};
  const app = await ScimApp.start();
  try {
    for (const pass of SCIM_PASSES) {
      app.resetCount();
      const env = { ...process.env, [TOKEN_ENV]: app.bearerToken };
      const started = process.hrtime.bigint();
      const child = spawnNode([join(ROOT, 'bench', 'scim-script.mjs'), exportPath, app.url], env, ROOT);
      const code = await child.exited;
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0)
        throw new Error(`the hand-written SCIM script failed (${LABEL[pass]}, exit ${code}):\n${tail(child)}`);
      const report = JSON.parse(child.output().trim().split('\n').pop() ?? '{}') as { peakRssBytes: number };
      const scim = await measureApp(app, employees);
      await record({
        ...scimRow(employees, pass, wallSeconds, scim),
        target: SCRIPT_TARGET,
        ratioToScript: 1,
        workerPeakRssBytes: report.peakRssBytes,
        storePeakRssBytes: null,
        historyEvents: null,
        largestPayloadBytes: null,
      });
      check('the hand-written SCIM script', pass, scim, app);
      seconds[pass] = wallSeconds;
    }
    return seconds;
  } finally {
    await app.close();
  }
}

/**
 * The export into an empty SCIM app by `rosterflow run` on a fresh stack and production worker, then
 * again on the same export with the same worker (a user's worker stays up between runs): the re-run
 * must send no write. Each pass records its row, then fails the case if the app does not hold every
 * active employee, the first pass wrote other than one POST each, or the re-run wrote anything.
 */
export async function runScimCase(
  employees: number,
  makeSync: (target: Record<string, unknown>) => BenchSync,
  home: string,
  scriptSeconds: Partial<Record<ScimPass, number>>,
  record: (row: BenchRow) => Promise<void>,
): Promise<void> {
  await mkdir(home, { recursive: true });
  const app = await ScimApp.start();
  try {
    const target = { type: 'scim', baseUrl: app.url, auth: { bearerToken: { env: TOKEN_ENV } } };
    const sync = makeSync(target);
    const session = await BenchSession.open(home, [sync], { [TOKEN_ENV]: app.bearerToken });
    try {
      const worker = await session.startWorker();
      for (const pass of SCIM_PASSES) {
        app.resetCount();
        // The first pass's peaks count from the worker's start, as the other rows'; the re-run's its own.
        const [workerRss, storeRss] =
          pass === 'provisioned'
            ? [worker.rss, session.storeRss]
            : await Promise.all([freshPeak(worker.process.pid), freshPeak(session.storeRss.pid)]);
        const started = process.hrtime.bigint();
        // A generous limit (scim2-server takes 3 to 6 ms a POST), so a hung run ends the bench instead.
        const run = session.runCli(sync.id, Math.max(10 * 60_000, employees * 300));
        const code = await run.exited;
        const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
        const [workerPeak, storePeak] = await Promise.all([workerRss.stop(), storeRss.stop()]);
        if (code !== 0) {
          throw new Error(
            `rosterflow run into scim failed (${LABEL[pass]}, exit ${code ?? run.cli.child.signalCode}):\n${tail(run.cli)}\nworker:\n${session.workerTails()}`,
          );
        }
        if (process.env['BENCH_SHOW_RUN']) console.log(run.cli.output().trimEnd());
        const stats = await session.historyOf(run.cli);
        const scim = await measureApp(app, employees);
        const seconds = scriptSeconds[pass];
        await record({
          ...scimRow(employees, pass, wallSeconds, scim),
          target: SCIM_TARGET,
          ratioToScript: seconds === undefined ? null : wallSeconds / seconds,
          workerPeakRssBytes: workerPeak,
          storePeakRssBytes: storePeak,
          historyEvents: stats.events,
          largestPayloadBytes: stats.largestPayloadBytes,
        });
        check('rosterflow', pass, scim, app);
      }
    } finally {
      await session.close();
    }
  } finally {
    await app.close();
  }
}

type Measured =
  'target' | 'ratioToScript' | 'workerPeakRssBytes' | 'storePeakRssBytes' | 'historyEvents' | 'largestPayloadBytes';

/** What a SCIM row has whoever wrote (the script or rosterflow); the caller adds what it measured. */
function scimRow(employees: number, pass: ScimPass, wallSeconds: number, scim: ScimMeasure): Omit<BenchRow, Measured> {
  // No delivered file to count rows of: the app's users are in `scim`.
  return { employees, case: pass, wallSeconds, employeesPerSecond: employees / wallSeconds, rowsWritten: null, scim };
}

async function measureApp(app: ScimApp, employees: number): Promise<ScimMeasure> {
  return { writes: app.writes().length, usersInApp: await app.users(), expectedUsers: activeEmployees(employees) };
}

/** Fails loudly when the pass did other work than it should have. */
function check(who: string, pass: ScimPass, scim: ScimMeasure, app: ScimApp): void {
  const { writes, usersInApp, expectedUsers } = scim;
  const problems: string[] = [];
  if (usersInApp !== expectedUsers) problems.push(`the app holds ${usersInApp} users, expected ${expectedUsers}`);
  if (pass === 'provisioned' && writes !== expectedUsers)
    problems.push(`it sent ${writes} writes, expected one POST per active employee (${expectedUsers})`);
  if (pass === 'rerun' && writes !== 0) {
    const first = app.writes().slice(0, 5);
    const shown = first.map((write) => `${write.method} ${write.path} (HTTP ${write.status})`).join(', ');
    problems.push(`it sent ${writes} writes where nothing changed: ${shown}${writes > first.length ? ', ...' : ''}`);
  }
  if (problems.length > 0) throw new Error(`${who}, SCIM ${LABEL[pass]}: ${problems.join('; ')}`);
}

/** Resets the process's high-water mark and samples it anew. */
async function freshPeak(pid: number): Promise<PeakRssSampler> {
  await resetPeakRss(pid);
  return new PeakRssSampler(pid);
}
