import { createReadStream } from 'node:fs';
import { readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { DEFAULT_DB_NAME } from '../config/runtime';
import { CsvDropConfigSchema } from '../connectors/csv-drop/config';
import type { BenchRow, KillMeasure } from './report';
import { tail } from './processes';
import { BenchSession, dataRows, sha256File, startedIds } from './session';
import type { BenchSync } from './session';

/** Where the build is killed: once its checkpoint has this share of the roster. */
export const KILL_AT = 0.4;
const POLL_MS = 100;

interface BuildCheckpointDoc {
  attempt: number;
  data: { pulled: number; rejected: number; nextPage: number };
}

/**
 * The 1M csv-file run with its worker SIGKILLed mid-build (once the build checkpoint holds KILL_AT of
 * the roster) and a fresh worker started at once: the run must finish, and deliver the same bytes as
 * the uninterrupted run (`referenceSha256`). The worker is stopped (SIGSTOP) for the readings at the
 * kill, so they are all of the same instant: how far it had read the export (its file offset, from
 * /proc/<pid>/fdinfo) and the heartbeat Temporal last had from it.
 */
export async function runKillCase(
  employees: number,
  sync: BenchSync,
  outputPath: string,
  exportPath: string,
  home: string,
  referenceSha256: string | undefined,
): Promise<Omit<BenchRow, 'ratioToScript'>> {
  const session = await BenchSession.open(home, [sync], {});
  try {
    const checkpoints = session.mongo
      .db(DEFAULT_DB_NAME)
      .collection<BuildCheckpointDoc & { _id: string }>('checkpoints');
    const buildCheckpoint = () => checkpoints.findOne({ step: 'build' });
    const first = await session.startWorker();
    const started = process.hrtime.bigint();
    const since = () => Number(process.hrtime.bigint() - started) / 1e9;
    const run = session.runCli(sync.id, Math.max(10 * 60_000, employees * 3));
    let exited = false;
    void run.exited.then(() => (exited = true));

    // Mid-build: the checkpoint past KILL_AT of the roster.
    for (;;) {
      if (exited) throw new Error(`the run ended before the build reached ${KILL_AT * 100}%:\n${tail(run.cli)}`);
      const saved = await buildCheckpoint();
      if (saved && saved.data.pulled >= employees * KILL_AT) break;
      await sleep(POLL_MS);
    }
    first.process.child.kill('SIGSTOP');
    const ids = startedIds(run.cli);
    const handle = session.client.workflow.getHandle(ids.workflowId, ids.runId);
    const rowsReadAtKill = await rowsReadFrom(first.process.pid, exportPath);
    const heartbeatPulled = await lastHeartbeatPulled(handle);
    first.process.child.kill('SIGKILL');
    const killedAt = since();
    await first.process.exited;
    const workerPeak = await first.rss.stop();
    // Nothing writes now: this is what a second attempt resumes from.
    const atKill = await buildCheckpoint();
    if (!atKill) throw new Error('the build checkpoint vanished at the kill');

    await session.startWorker();
    let timedOutAt: number | undefined;
    let resumedAt: number | undefined;
    let resumedFrom = atKill.data;
    while (!exited && (timedOutAt === undefined || resumedAt === undefined)) {
      if (timedOutAt === undefined && (await buildAttempt(handle)) >= 2) timedOutAt = since();
      const saved = await buildCheckpoint();
      if (resumedAt === undefined && saved && saved.attempt >= 2) {
        resumedAt = since();
        resumedFrom = saved.data;
      }
      await sleep(POLL_MS);
    }
    const code = await run.exited;
    const wallSeconds = since();
    if (code !== 0) {
      throw new Error(`the killed run failed (exit ${code}):\n${tail(run.cli)}\nworkers:\n${session.workerTails()}`);
    }
    const stats = await session.historyOf(run.cli);
    const sha256 = await sha256File(outputPath);
    const resumedRows = resumedFrom.pulled + resumedFrom.rejected;
    const kill: KillMeasure = {
      killedAtSeconds: killedAt,
      heartbeatTimeoutSeconds: timedOutAt === undefined ? null : timedOutAt - killedAt,
      resumedAfterSeconds: resumedAt === undefined ? null : resumedAt - killedAt,
      checkpointRowsAtKill: atKill.data.pulled + atKill.data.rejected,
      resumedFromRows: resumedRows,
      rowsReadAtKill,
      reworkRows: rowsReadAtKill === null ? null : Math.max(0, rowsReadAtKill - resumedRows),
      heartbeatPulled,
      checkpointIntervalRows: pageSizeOf(sync),
      sha256,
      identical: referenceSha256 === undefined ? null : sha256 === referenceSha256,
    };
    const [secondPeak, storePeak] = await Promise.all([
      Promise.all(session.workers.slice(1).map((worker) => worker.rss.stop())),
      session.storeRss.stop(),
    ]);
    return {
      employees,
      target: 'csv-file',
      case: 'killed',
      wallSeconds,
      employeesPerSecond: employees / wallSeconds,
      workerPeakRssBytes: Math.max(workerPeak, ...secondPeak),
      storePeakRssBytes: storePeak,
      historyEvents: stats.events,
      largestPayloadBytes: stats.largestPayloadBytes,
      rowsWritten: await dataRows(outputPath),
      kill,
    };
  } finally {
    await session.close();
  }
}

/** The build's attempt number as Temporal has it (0 when no build is pending). */
async function buildAttempt(handle: WorkflowHandleLike): Promise<number> {
  const pending = await pendingBuild(handle);
  return pending?.attempt ?? 0;
}

/** `pulled` of the last heartbeat Temporal kept for the pending build, if it has one. */
async function lastHeartbeatPulled(handle: WorkflowHandleLike): Promise<number | null> {
  const payload = (await pendingBuild(handle))?.heartbeatDetails?.payloads?.[0];
  if (!payload) return null;
  const details = defaultPayloadConverter.fromPayload<{ pulled?: unknown }>(payload);
  return typeof details?.pulled === 'number' ? details.pulled : null;
}

type WorkflowHandleLike = ReturnType<BenchSession['client']['workflow']['getHandle']>;

async function pendingBuild(handle: WorkflowHandleLike) {
  const description = await handle.describe();
  return description.raw.pendingActivities?.find((activity) => activity.activityType?.name === 'buildArtifacts');
}

/**
 * Data rows of the export before the stopped process's read offset in it (every complete line but
 * the header): what it had read from the file, parsed or still buffered. Null if it has the file
 * open no more (or more than once).
 */
async function rowsReadFrom(pid: number, exportPath: string): Promise<number | null> {
  const fdDir = `/proc/${pid}/fd`;
  const offsets: number[] = [];
  for (const fd of await readdir(fdDir)) {
    const target = await readlink(join(fdDir, fd)).catch(() => '');
    if (target !== exportPath) continue;
    const info = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => '');
    const pos = /^pos:\s+(\d+)$/m.exec(info);
    if (pos) offsets.push(Number(pos[1]));
  }
  if (offsets.length !== 1) return null;
  return Math.max(0, (await linesBefore(exportPath, offsets[0]!)) - 1);
}

async function linesBefore(path: string, offset: number): Promise<number> {
  if (offset === 0) return 0;
  let lines = 0;
  for await (const chunk of createReadStream(path, { start: 0, end: offset - 1 })) {
    for (const byte of chunk as Buffer) if (byte === 10) lines += 1;
  }
  return lines;
}

/** The csv source's page size (its default unless the sync sets one): the build checkpoints after every page. */
function pageSizeOf(sync: BenchSync): number {
  return CsvDropConfigSchema.parse(sync.source).pageSize;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
