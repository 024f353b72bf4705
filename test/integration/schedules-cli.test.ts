import { userInfo } from 'node:os';
import { ScheduleNotFoundError } from '@temporalio/client';
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleIdFor } from '../../cli/apply-schedules';
import { freePort } from '../../tools/stack/ports';
import { runCli } from '../support/cli';
import type { CliResult } from '../support/cli';
import { exampleConfig } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

// Each `schedules` command runs as a child process, as an operator would; what it did is read back
// from Temporal through the client. The tests build on each other, in order.
let harness: Harness;
// Schedules are namespace-wide; ids unique to this run keep repeated runs apart.
const syncId = `sched-cli-${Date.now().toString(36)}`;
const scheduleId = scheduleIdFor(syncId);
const unscheduledId = `${syncId}-manual`;
const summary = `${syncId}: csv -> csv-file`;
const scheduledById = defineSearchAttributeKey('TemporalScheduledById', SearchAttributeType.KEYWORD);

beforeAll(async () => {
  harness = await startHarness('schedules-cli');
});
afterAll(async () => {
  for await (const schedule of harness.client.schedule.list()) {
    if (schedule.scheduleId.startsWith(scheduleId))
      await harness.client.schedule.getHandle(schedule.scheduleId).delete();
  }
  await harness.close();
});

// A type, not an interface: the example config's schedule is a plain record.
type ScheduleSettings = { cron: string; timezone: string; catchupWindow: string };
const KOLKATA: ScheduleSettings = { cron: '30 6 * * *', timezone: 'Asia/Kolkata', catchupWindow: '15m' };

/** The scheduled sync (left out when `schedule` is null), one without a schedule, and `extra` scheduled syncs. */
async function writeConfig(schedule: ScheduleSettings | null = KOLKATA, extra: string[] = []) {
  const config = exampleConfig();
  const base = config.syncs[0]!;
  const sync = (id: string, scheduled?: ScheduleSettings) => {
    const { schedule: _schedule, ...rest } = structuredClone(base);
    return {
      ...rest,
      id,
      target: { ...rest.target, path: `out/${id}.csv` },
      ...(scheduled ? { schedule: scheduled } : {}),
    };
  };
  config.syncs = [
    ...(schedule ? [sync(syncId, schedule)] : []),
    sync(unscheduledId),
    ...extra.map((id) => sync(id, KOLKATA)),
  ];
  await harness.writeConfig(config);
}

const schedules = (...args: string[]) => runCli(harness, ['schedules', ...args]);
const describeSchedule = (id = scheduleId) => harness.client.schedule.getHandle(id).describe();

interface ListedSchedule {
  syncId: string;
  scheduleId: string;
  cron?: string;
  timezone: string;
  summary?: string;
  paused: boolean;
  note?: string;
  inConfig?: boolean;
  nextRuns: string[];
  lastRun?: { workflowId: string; runId?: string; status: string; startedAt: string };
}

async function listed(): Promise<ListedSchedule[]> {
  const result = await schedules('list', '--json');
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as ListedSchedule[];
}

/** Exit code 1 and one line on stderr: no stack frames. */
function expectOneSentence(result: CliResult, sentence: string) {
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(`rosterflow: ${sentence}\n`);
}

/** Runs a command until its output contains `text`: Temporal's schedule list catches up a moment after a change. */
async function eventually(args: string[], text: string): Promise<CliResult> {
  const deadline = Date.now() + 20_000;
  let result = await schedules(...args);
  while (!result.stdout.includes(text) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    result = await schedules(...args);
  }
  expect(result.stdout).toContain(text);
  return result;
}

describe('schedules apply --dry-run, and the summary every scheduled run carries', () => {
  it('says what it would create and creates nothing', async () => {
    await writeConfig();
    const result = await schedules('apply', '--dry-run');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`would create  ${scheduleId}\n`);
    expect(result.stdout).toContain(`not scheduled ${scheduleIdFor(unscheduledId)}\n`);
    expect(result.stdout).toContain('Dry run: nothing was changed.');
    await expect(describeSchedule()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });

  it('creates the schedule with a static summary of sync, source and target for its runs', async () => {
    const result = await schedules('apply');
    expect(result.stdout).toContain(`created       ${scheduleId}\n`);
    const { action, spec } = await describeSchedule();
    expect(action.staticSummary).toBe(summary);
    expect(action.memo).toMatchObject({ rosterflowCron: '30 6 * * *' });
    expect(spec.timezone).toBe('Asia/Kolkata');
  });

  it('names each setting an update would change, and changes nothing', async () => {
    await writeConfig({ cron: '0 7 * * 1-5', timezone: 'Europe/Berlin', catchupWindow: '1h' });
    const result = await schedules('apply', '--dry-run');
    expect(result.stdout).toContain(
      `would update  ${scheduleId}  (cron "30 6 * * *" -> "0 7 * * 1-5"; timezone Asia/Kolkata -> Europe/Berlin; catchupWindow 15m -> 1h)\n`,
    );
    const description = await describeSchedule();
    expect(description.spec.timezone).toBe('Asia/Kolkata');
    expect(description.policies.catchupWindow).toBe(15 * 60 * 1000);

    await writeConfig();
    expect((await schedules('apply', '--dry-run')).stdout).toContain(`unchanged     ${scheduleId}\n`);
  });

  it('updates a schedule whose summary was edited in Temporal since the last apply', async () => {
    await harness.client.schedule
      .getHandle(scheduleId)
      .update((previous) => ({ ...previous, action: { ...previous.action, staticSummary: 'edited by hand' } }));
    const dryRun = await schedules('apply', '--dry-run');
    expect(dryRun.stdout).toContain(`would update  ${scheduleId}  (summary "edited by hand" -> "${summary}")\n`);
    expect((await describeSchedule()).action.staticSummary).toBe('edited by hand');

    const applied = await schedules('apply');
    expect(applied.stdout).toContain(`updated       ${scheduleId}  (summary "edited by hand" -> "${summary}")\n`);
    expect((await describeSchedule()).action.staticSummary).toBe(summary);
    expect((await schedules('apply')).stdout).toContain(`unchanged     ${scheduleId}\n`);
  });
});

describe('schedules list', () => {
  it("shows the cron as configured, and the next runs in the sync's time zone", async () => {
    const [entry, ...others] = (await listed()).filter((schedule) => schedule.syncId.startsWith(syncId));
    expect(others).toEqual([]);
    expect(entry).toMatchObject({
      syncId,
      scheduleId,
      cron: '30 6 * * *',
      timezone: 'Asia/Kolkata',
      summary,
      paused: false,
      inConfig: true,
    });
    expect(entry!.lastRun).toBeUndefined();
    // 06:30 in Kolkata (UTC+5:30, no daylight saving time) is 01:00 UTC, on three days in a row.
    expect(entry!.nextRuns).toHaveLength(3);
    for (const next of entry!.nextRuns) {
      expect(next).toMatch(/T01:00:00\.000Z$/);
      expect(Date.parse(next)).toBeGreaterThan(Date.now());
    }

    const text = await schedules('list');
    expect(text.stdout).toContain(`${syncId}  (schedule ${scheduleId}; runs "${summary}")\n`);
    expect(text.stdout).toContain('  cron       30 6 * * * in Asia/Kolkata\n');
    expect(text.stdout).toContain('  state      active\n');
    expect(text.stdout).toMatch(
      / {2}next runs {2}\w{3}, \d{1,2} \w{3} \d{4}, 06:30 GMT\+5:30(; \w{3}, \d{1,2} \w{3} \d{4}, 06:30 GMT\+5:30){2}\n/,
    );
    expect(text.stdout).toContain('  last run   none yet');
  });

  it('names scheduled syncs of the config that have no schedule yet', async () => {
    await writeConfig(KOLKATA, [`${syncId}-later`]);
    const text = await schedules('list');
    expect(text.stdout).toContain(
      `Scheduled in the config but not in Temporal: ${syncId}-later (run \`rosterflow schedules apply\`)`,
    );
    await writeConfig();
  });
});

describe('schedules pause and unpause', () => {
  it('refuses a pause without a note', async () => {
    const result = await schedules('pause', syncId);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("required option '--note <why>' not specified");
    expect((await describeSchedule()).state.paused).toBe(false);
  });

  it('pauses with a note saying who and why, which list shows and apply leaves alone', async () => {
    const result = await schedules('pause', syncId, '--note', 'INC-42 vendor outage', '--by', 'ops-alice');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`Paused ${scheduleId}: "Paused by ops-alice: INC-42 vendor outage"\n`);
    expect((await describeSchedule()).state).toMatchObject({
      paused: true,
      note: 'Paused by ops-alice: INC-42 vendor outage',
    });

    const entry = (await listed()).find((schedule) => schedule.syncId === syncId);
    expect(entry).toMatchObject({ paused: true, note: 'Paused by ops-alice: INC-42 vendor outage' });
    expect((await schedules('list')).stdout).toContain(
      '  state      PAUSED: Paused by ops-alice: INC-42 vendor outage\n',
    );

    const apply = await schedules('apply');
    expect(apply.stdout).toContain(`unchanged     ${scheduleId}  (paused in Temporal while the config says active)\n`);
    expect((await describeSchedule()).state.paused).toBe(true);

    // An update for another setting keeps the pause and its note: only the config's own `paused` overrides it.
    await writeConfig({ ...KOLKATA, catchupWindow: '30m' });
    expect((await schedules('apply')).stdout).toContain(
      `updated       ${scheduleId}  (catchupWindow 15m -> 30m; paused in Temporal while the config says active)\n`,
    );
    const updated = await describeSchedule();
    expect(updated.policies.catchupWindow).toBe(30 * 60 * 1000);
    expect(updated.state).toMatchObject({ paused: true, note: 'Paused by ops-alice: INC-42 vendor outage' });
    await writeConfig();
    expect((await schedules('apply')).stdout).toContain(`updated       ${scheduleId}  (catchupWindow 30m -> 15m;`);
  });

  it("unpauses, naming the operator's OS user when --by is not given", async () => {
    const result = await schedules('unpause', syncId, '--note', 'vendor is back');
    expect(result.code, result.stderr).toBe(0);
    const note = `Unpaused by ${userInfo().username}: vendor is back`;
    expect(result.stdout).toBe(`Unpaused ${scheduleId}: "${note}"\n`);
    expect((await describeSchedule()).state).toMatchObject({ paused: false, note });
  });
});

describe('schedules trigger', () => {
  it('runs the sync now through its schedule, as a scheduled run, and list shows its result', async () => {
    const result = await schedules('trigger', syncId);
    expect(result.code, result.stderr).toBe(0);
    const match = new RegExp(
      `^Triggered ${scheduleId}: workflow (${scheduleId}-scheduled-\\S+) \\(run (\\S+)\\)\\n$`,
    ).exec(result.stdout);
    expect(match, result.stdout).not.toBeNull();
    const [, workflowId, runId] = match!;

    const workflow = harness.client.workflow.getHandle(workflowId!);
    await workflow.result();
    const description = await workflow.describe();
    expect(description.runId).toBe(runId);
    expect(description.typedSearchAttributes.get(scheduledById)).toBe(scheduleId);
    expect(await description.staticSummary()).toBe(summary);
    expect(await harness.store.runs.get(runId!)).toMatchObject({ syncId, trigger: 'schedule', status: 'succeeded' });

    const entry = (await listed()).find((schedule) => schedule.syncId === syncId);
    expect(entry?.lastRun).toMatchObject({ workflowId, runId, status: 'COMPLETED' });
    expect(Date.parse(entry!.lastRun!.startedAt)).toBe(description.startTime.getTime());
    expect((await schedules('list')).stdout).toMatch(
      new RegExp(`  last run   COMPLETED.*, started .* GMT\\+5:30: workflow ${workflowId}\\n`),
    );
  });
});

describe('schedules commands: expected errors are one sentence', () => {
  it('names an unknown sync and the closest known one', async () => {
    const typo = syncId.replace('sched', 'shced');
    expectOneSentence(
      await schedules('pause', typo, '--note', 'typo'),
      `Sync "${typo}" is unknown: no rosterflow schedule and no sync in ${harness.configPath} (did you mean "${syncId}"?)`,
    );
  });

  it('says a sync has no schedule, or has none in Temporal yet', async () => {
    expectOneSentence(
      await schedules('trigger', unscheduledId),
      `Sync "${unscheduledId}" has no schedule: it sets no \`schedule\` in ${harness.configPath}`,
    );
    await writeConfig(KOLKATA, [`${syncId}-later`]);
    expectOneSentence(
      await schedules('unpause', `${syncId}-later`),
      `Sync "${syncId}-later" has no schedule in Temporal yet; create it with \`rosterflow schedules apply\``,
    );
    await writeConfig();
  });

  it('leaves alone a schedule that apply did not make', async () => {
    const byHand = `${syncId}-byhand`;
    await harness.client.schedule.create({
      scheduleId: scheduleIdFor(byHand),
      spec: { intervals: [{ every: '1h' }] },
      action: { type: 'startWorkflow', workflowType: 'syncRoster', taskQueue: harness.taskQueue, args: [{ syncId }] },
      state: { paused: true },
    });
    expectOneSentence(
      await schedules('delete', byHand),
      `Schedule ${scheduleIdFor(byHand)} was not made by \`rosterflow schedules apply\` (its memo has no managedBy: rosterflow), so rosterflow leaves it alone`,
    );
    expect((await describeSchedule(scheduleIdFor(byHand))).state.paused).toBe(true);
    expect((await listed()).map((schedule) => schedule.scheduleId)).not.toContain(scheduleIdFor(byHand));
  });

  it('says so when Temporal does not answer', async () => {
    const port = await freePort();
    const result = await runCli(harness, ['schedules', 'list'], { TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^rosterflow: Temporal at 127\\.0\\.0\\.1:${port} does not answer \\(.*\\);.*TEMPORAL_ADDRESS\\n$`),
    );
  });
});

describe('schedules delete, and apply --prune --dry-run', () => {
  it('deletes the schedule', async () => {
    const result = await schedules('delete', syncId);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      `Deleted ${scheduleId}. Its sync still has a schedule in ${harness.configPath}: the next \`schedules apply\` creates it again.\n`,
    );
    await expect(describeSchedule()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });

  it('says what a prune would delete and deletes nothing', async () => {
    expect((await schedules('apply')).stdout).toContain(`created       ${scheduleId}\n`);
    await writeConfig(null);
    await eventually(['apply', '--prune', '--dry-run'], `would delete  ${scheduleId}\n`);
    const kept = await schedules('apply', '--dry-run');
    expect(kept.stdout).toContain(
      `unchanged     ${scheduleId}  (its sync is no longer in the config; pass --prune to delete it)\n`,
    );
    expect((await describeSchedule()).scheduleId).toBe(scheduleId);
    const list = await schedules('list');
    expect(list.stdout).toContain(
      'its sync is no longer in the config: `rosterflow schedules apply --prune` deletes it',
    );
  });
});
