import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
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
    expect(run.stdout).toContain('SUCCEEDED: 10 employees pulled, 0 rejected, 9 employees rendered');
    const runId = /\(run ([0-9a-f-]+)\)/.exec(run.stdout)?.[1];
    expect(runId).toBeDefined();

    const history = await cli(['history', syncId]);
    expect(history.code).toBe(0);
    const lines = history.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^STARTED \(UTC\)\s+SYNC\s+TRIGGER\s+STATUS/);
    expect(lines[1]).toMatch(new RegExp(`${syncId}\\s+cli\\s+succeeded\\s+[0-9.]+s\\s+10\\s+0\\s+9`));

    const detail = await cli(['history', '--run', runId!]);
    expect(detail.stderr).toBe('');
    expect(detail.stdout).toMatch(/steps\n {2}resolve +succeeded \d+ ms \(attempt 1\)\n {2}extract/);
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
    expect(dev.stdout).toContain('SUCCEEDED: 10 employees pulled');
    expect(dev.stdout).toMatch(/Web UI {5}http:\/\/127\.0\.0\.1:\d+/);
    const written = await readFile(join(harness.dir, 'out', 'acme-people.csv'));
    expect(written.equals(await readFile(join(REPO_ROOT, 'test', 'golden', 'csv-file', 'acme-people.csv')))).toBe(true);
    await expect(access(join(home, 'stack.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    // Persistent data stays for the next start, so the Web UI keeps its history.
    await access(join(home, 'temporal.db'));
  }, 180_000);
});
