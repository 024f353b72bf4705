import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { syncRoster } from '../../workflows/sync-roster';
import { exampleConfig } from '../support/example-config';
import { REPO_ROOT, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { spawnWorker, startWorkerProcess, waitFor } from '../support/worker-process';
import type { WorkerProcess } from '../support/worker-process';

interface LogLine {
  level: string;
  time: string;
  msg: string;
  runId?: string;
  workflowId?: string;
  syncId?: string;
  step?: string;
  activityType?: string;
  attempt?: number;
  errorType?: string;
  error?: unknown;
}

let harness: Harness;
/** At debug, so a run's every activity logs (started, completed). */
let worker: WorkerProcess;
const taskQueue = `worker-log-${Date.now()}`;
let roster: string[];

beforeAll(async () => {
  harness = await startHarness('worker-log');
  const config = exampleConfig();
  for (const sync of config.syncs) sync.target.path = join(harness.dir, 'out', `${sync.id}.csv`);
  await harness.writeConfig(config);
  // No HiBob token where the worker runs: every run of acme-hibob fails as SecretUnavailable.
  worker = await startWorkerProcess(harness, taskQueue, {
    HIBOB_SERVICE_USER_TOKEN: '',
    ROSTERFLOW_LOG_LEVEL: 'debug',
  });
  // The example roster's personal data: full names, last names, addresses, employee numbers, titles.
  const rows = parse<Record<string, string>>(
    await readFile(join(REPO_ROOT, 'examples', 'data', 'acme-hr-export.csv')),
    { columns: true },
  );
  roster = rows.flatMap((row) => [
    `${row['First Name']!} ${row['Last Name']!}`,
    row['Last Name']!,
    row['Work Email']!,
    row['Employee #']!,
    row['Job Title']!,
  ]);
});
afterAll(async () => {
  await worker?.kill('SIGTERM');
  await harness.close();
});

/** Every line since `from`, each parsed as JSON (a line that is not fails the test). */
function linesSince(from: number, output = worker.output()): LogLine[] {
  const lines = output.slice(from).split('\n').filter(Boolean);
  return lines.map((line) => {
    try {
      return JSON.parse(line) as LogLine;
    } catch {
      throw new Error(`not a JSON line: ${line}`);
    }
  });
}

async function runToEnd(syncId: string, queue = taskQueue) {
  const handle = await harness.client.workflow.start<typeof syncRoster>('syncRoster', {
    taskQueue: queue,
    workflowId: `worker-log-${syncId}-${Date.now()}`,
    args: [{ syncId }],
  });
  await handle.result().catch(() => undefined);
  return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
}

/** Waits for a line of the run's that says `msg...`, then a moment more for stragglers. */
async function waitForLine(output: () => string, runId: string, msg: string): Promise<void> {
  await waitFor(
    () =>
      output()
        .split('\n')
        .some((line) => line.includes(runId) && line.includes(msg)),
    `"${msg}" in the log`,
    output,
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
}

describe("the worker's log", () => {
  it('is JSON lines from the start: level, time, message', () => {
    // linesSince fails on a line that is not JSON.
    const start = linesSince(0).find((line) => line.msg.startsWith('rosterflow worker: task queue'));
    expect(start).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
      msg: `rosterflow worker: task queue ${taskQueue}, config ${harness.configPath}`,
    });
  });

  it('shows an expected activity failure as one line: ids, step, attempt, type and message; no stack, no task token', async () => {
    const before = worker.output().length;
    const run = await runToEnd('acme-hibob');
    await waitForLine(() => worker.output(), run.runId, 'Workflow failed');
    const lines = linesSince(before).filter((line) => line.runId === run.runId);
    const failures = lines.filter((line) => line.msg.startsWith('Activity failed'));
    expect(failures).toEqual([
      {
        level: 'warn',
        time: expect.any(String) as unknown,
        runId: run.runId,
        workflowId: run.workflowId,
        syncId: 'acme-hibob',
        step: 'resolve',
        activityType: 'resolveSync',
        attempt: 1,
        durationMs: expect.any(Number) as unknown,
        errorType: 'SecretUnavailable',
        msg: expect.stringMatching(/^Activity failed: SecretUnavailable: source\.serviceUserToken: .+/) as unknown,
      },
    ]);
    // The run's own end is its one line too, with the same ids.
    const runFailed = lines.filter((line) => line.msg.startsWith('Workflow failed'));
    expect(runFailed).toEqual([
      expect.objectContaining({ workflowId: run.workflowId, syncId: 'acme-hibob', errorType: 'SecretUnavailable' }),
    ]);
    const text = worker.output().slice(before);
    expect(text).not.toMatch(/taskToken|task_token/i);
    expect(text).not.toMatch(/^\s+at /m);
    expect(lines.filter((line) => line.error !== undefined)).toEqual([]);
  });

  it("puts run id, workflow id, sync id, step and attempt on a run's activity lines, and no roster value anywhere", async () => {
    const before = worker.output().length;
    const run = await runToEnd('acme-people');
    await waitForLine(() => worker.output(), run.runId, 'Workflow completed');
    const lines = linesSince(before).filter((line) => line.runId === run.runId);
    const activityLines = lines.filter((line) => line.activityType !== undefined);
    expect(activityLines.length).toBeGreaterThan(10);
    for (const line of activityLines) {
      expect(line).toMatchObject({ workflowId: run.workflowId, step: expect.any(String) as unknown, attempt: 1 });
      // The SDK logs "Activity started" before the header is read; every later line has the sync id.
      if (line.msg !== 'Activity started') expect(line.syncId, line.msg).toBe('acme-people');
    }
    expect(new Set(activityLines.map((line) => line.step))).toEqual(
      new Set(['start', 'resolve', 'build', 'plan', 'deliver', 'finish']),
    );
    // The workflow's own lines carry the sync id too.
    expect(lines.find((line) => line.msg === 'Workflow completed')).toMatchObject({ syncId: 'acme-people' });

    const text = worker.output();
    expect(roster.length).toBeGreaterThan(30);
    expect(roster.filter((value) => text.includes(value))).toEqual([]);
  });

  it('pretty: one readable line per entry, an expected failure among them', async () => {
    const queue = `${taskQueue}-pretty`;
    const pretty = await startWorkerProcess(harness, queue, {
      HIBOB_SERVICE_USER_TOKEN: '',
      ROSTERFLOW_LOG_FORMAT: 'pretty',
    });
    try {
      const run = await runToEnd('acme-hibob', queue);
      await waitForLine(() => pretty.output(), run.runId, 'Workflow failed');
      const lines = pretty.output().trimEnd().split('\n');
      expect(lines.find((line) => line.includes('rosterflow worker: task queue'))).toMatch(
        new RegExp(`^\\[\\d{4}-\\d\\d-\\d\\d [\\d:.]+\\] INFO: rosterflow worker: task queue ${queue}, config `),
      );
      const failures = lines.filter((line) => line.includes('Activity failed'));
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatch(
        new RegExp(
          `WARN: Activity failed: SecretUnavailable: source\\.serviceUserToken: .+ \\{"runId":"${run.runId}","workflowId":"${run.workflowId}","syncId":"acme-hibob","step":"resolve","activityType":"resolveSync","attempt":1,`,
        ),
      );
      expect(lines.every((line) => !line.startsWith('{'))).toBe(true);
    } finally {
      await pretty.kill('SIGTERM');
    }
  });

  it('refuses a bad ROSTERFLOW_LOG_LEVEL in one sentence naming it, before connecting anywhere', async () => {
    const { child, output } = spawnWorker(harness, { ROSTERFLOW_LOG_LEVEL: 'loud' });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(output().trim()).toBe(
      'rosterflow worker: ROSTERFLOW_LOG_LEVEL must be one of trace, debug, info, warn, error (got "loud")',
    );
  });
});
