import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleConfig } from '../support/example-config';
import { REPO_ROOT, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { runCli } from '../support/cli';

let harness: Harness;
let home: string;
const syncId = `cli-people-${Date.now().toString(36)}`;

beforeAll(async () => {
  harness = await startHarness('cli');
  home = await mkdtemp(join(tmpdir(), 'rosterflow-cli-home-'));
  const config = exampleConfig();
  config.syncs[0]!.id = syncId;
  await harness.writeConfig(config);
});
afterAll(async () => {
  for await (const summary of harness.client.schedule.list()) {
    if (summary.scheduleId.includes(syncId)) await harness.client.schedule.getHandle(summary.scheduleId).delete();
  }
  await harness.close();
  await rm(home, { recursive: true, force: true });
});

/** bin/rosterflow against the test stack, with a local-stack home of its own. */
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(harness, args, { ROSTERFLOW_HOME: home, ...env });

describe('the rosterflow CLI', () => {
  it('runs a sync now, prints the outcome, and shows it in history', async () => {
    const run = await cli(['run', syncId]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("SUCCEEDED: 10 pulled: 9 delivered, 1 left out by the target's status filter\n");
    const [, workflowId, runId] = /started (\S+) \(run ([0-9a-f-]+)\)/.exec(run.stdout) ?? [];
    expect(runId).toBeDefined();

    const history = await cli(['history', syncId]);
    expect(history.code).toBe(0);
    const lines = history.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^STARTED \(UTC\)\s+SYNC\s+TRIGGER\s+STATUS\s+DURATION\s+PULLED\s+REJECTED\s+DELIVERED\s+RUN ID/,
    );
    expect(lines[1]).toMatch(new RegExp(`${syncId}\\s+cli\\s+succeeded\\s+[0-9.]+s\\s+10\\s+0\\s+9\\s+${runId}\\s`));

    const detail = await cli(['history', '--run', runId!]);
    expect(detail.stderr).toBe('');
    expect(detail.stdout).toMatch(/steps\n {2}resolve +succeeded \d+ ms \(attempt 1\)\n {2}build/);
    // The workflow id (what `run`, `holds` and the Web UI show) finds the same run, its newest.
    const byWorkflow = await cli(['history', '--run', workflowId!]);
    expect(byWorkflow.code).toBe(0);
    expect(byWorkflow.stdout).toContain(`run       ${runId}\nworkflow  ${workflowId}\n`);
  });

  it('refuses an unknown sync naming the known ones, and an unknown run id, in one sentence each', async () => {
    const unknown = await cli(['history', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr.trim().split('\n')).toEqual([
      `rosterflow: No sync "nope" in ${harness.configPath} or the run store: the known syncs are acme-hibob, ${syncId}`,
    ]);
    // A configured sync that never ran is no mistake.
    const quiet = await cli(['history', 'acme-hibob']);
    expect(quiet).toMatchObject({ code: 0, stdout: 'No runs of sync "acme-hibob" recorded yet.\n', stderr: '' });

    const noRun = await cli(['history', '--run', 'no-such-run']);
    expect(noRun.code).toBe(1);
    expect(noRun.stderr.trim().split('\n')).toEqual([
      'rosterflow: No run or workflow "no-such-run" in the run store (`rosterflow history` lists recent runs with their ids)',
    ]);
  });

  it('prints the first rejected rows with a failed run, by source line and column, and shows 0 delivered', async () => {
    const badSync = `${syncId}-bad`;
    const data = await readFile(join(harness.dataDir, 'acme-hr-export.csv'), 'utf8');
    // Lines 12-23: twelve invalid emails; line 24: Ada's address again, which the target's check refuses.
    const bad = Array.from(
      { length: 12 },
      (_, at) => `${2001 + at},E-${201 + at},No,Email,,not-an-email-${at},Active,2020-01-01,,Tester,QA,Remote,,QA`,
    );
    bad.push('2100,E-300,Ada,Again,,ada.lovelace@acme.example,Active,2020-01-01,,Tester,QA,Remote,,QA');
    await writeFile(join(harness.dataDir, 'bad.csv'), `${data}${bad.join('\n')}\n`);
    const config = exampleConfig();
    config.syncs[0]!.id = syncId;
    config.syncs.push({ ...structuredClone(config.syncs[0]!), id: badSync });
    config.syncs.at(-1)!.source.path = 'data/bad.csv';
    delete config.syncs.at(-1)!.schedule;
    await harness.writeConfig(config);
    try {
      const run = await cli(['run', badSync]);
      expect(run.code).toBe(1);
      const runId = /\(run ([0-9a-f-]+)\)/.exec(run.stdout)?.[1];
      const outcome = run.stdout.slice(run.stdout.indexOf('FAILED'));
      expect(outcome).toBe(
        [
          `FAILED (RowsRejected): 13 rows were rejected (12 by the source, 1 by the target's checks) and the sync's onRejectedRows is "fail"; nothing was delivered (see \`rosterflow history --run ${runId}\`)`,
          '  13 rejected rows (the first 10 reasons):',
          ...Array.from({ length: 10 }, (_, at) => `    line ${12 + at}: Work Email is not a valid email address`),
          '    ... and 3 more rows',
          `  every recorded row: ./bin/rosterflow history --run ${runId}`,
          '',
        ].join('\n'),
      );
      expect(run.stdout).not.toContain('not-an-email');

      const detail = await cli(['history', '--run', runId!]);
      expect(detail.stdout).toContain('  line 23: Work Email is not a valid email address\n');
      expect(detail.stdout).toContain('  line 24: Email repeats a value an earlier row of acme-people.csv has');

      const history = await cli(['history', badSync]);
      // Rendered rows of a failed run reached nobody: DELIVERED is 0.
      expect(history.stdout.trim().split('\n')[1]).toMatch(
        new RegExp(`${badSync}\\s+cli\\s+failed\\s+[0-9.]+s\\s+11\\s+13\\s+0\\s+${runId}\\s+RowsRejected`),
      );
    } finally {
      const good = exampleConfig();
      good.syncs[0]!.id = syncId;
      await harness.writeConfig(good);
    }
  });

  it('exits non-zero with the reason when a run fails', async () => {
    const run = await cli(['run', 'no-such-sync']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAILED (UnknownSync): No sync "no-such-sync"');
  });

  it('applies schedules idempotently', async () => {
    const first = await cli(['schedules', 'apply']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`created       rosterflow-${syncId}`);
    const second = await cli(['schedules', 'apply']);
    expect(second.stdout).toContain(`unchanged     rosterflow-${syncId}`);
  });

  it('rejects a bad config file with a message naming the setting', async () => {
    const config = exampleConfig();
    config.syncs[0]!.schedule = { cron: 'every night', timezone: 'Mars/Olympus' };
    await harness.writeConfig(config);
    try {
      const check = await cli(['config', 'check']);
      expect(check.code).toBe(1);
      expect(check.stderr).toContain('syncs[0] "acme-people".schedule.cron: must be a cron expression');
      expect(check.stderr).toContain('syncs[0] "acme-people".schedule.timezone: must be an IANA time zone');
      expect(check.stderr).not.toContain('    at '); // an operator's message, not a stack trace
    } finally {
      const good = exampleConfig();
      good.syncs[0]!.id = syncId;
      await harness.writeConfig(good);
    }
  });

  it('runs the README demo end to end on its own local stack and cleans up after itself', async () => {
    const dev = await cli(['dev', '--exit', '--random-ports', '--config', harness.configPath], {
      TEMPORAL_ADDRESS: '',
      MONGODB_URI: '',
      ROSTERFLOW_TASK_QUEUE: '',
      TEMPORAL_NAMESPACE: '',
    });
    expect(dev.stderr).toBe('');
    expect(dev.code).toBe(0);
    expect(dev.stdout).toContain(`created       rosterflow-${syncId}`);
    expect(dev.stdout).toContain('SUCCEEDED: 10 pulled: 9 delivered');
    expect(dev.stdout).toMatch(/Web UI {5}http:\/\/127\.0\.0\.1:\d+/);
    const written = await readFile(join(harness.dir, 'out', 'acme-people.csv'));
    expect(written.equals(await readFile(join(REPO_ROOT, 'test', 'golden', 'csv-file', 'acme-people.csv')))).toBe(true);
    await expect(access(join(home, 'stack.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    // Persistent data stays for the next start, so the Web UI keeps its history.
    await access(join(home, 'temporal.db'));
  }, 180_000);
});
