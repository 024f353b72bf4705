import { describe, expect, it } from 'vitest';
import { formatInZone, formatScheduleChange, formatScheduleList } from '../../cli/schedules/format';
import type { ScheduleListing } from '../../cli/schedules/list';
import { changedSettings, describeChange } from '../../cli/schedules/settings';
import type { ScheduleSettings } from '../../cli/schedules/settings';

describe('formatInZone', () => {
  it("reads a time on the zone's own clock, with its offset", () => {
    const instant = new Date('2026-12-08T01:00:00Z');
    expect(formatInZone(instant, 'Asia/Kolkata')).toBe('Tue, 8 Dec 2026, 06:30 GMT+5:30');
    expect(formatInZone(instant, 'America/New_York')).toBe('Mon, 7 Dec 2026, 20:00 GMT-5');
    expect(formatInZone(instant, 'UTC')).toBe('Tue, 8 Dec 2026, 01:00 GMT+0');
  });

  it('follows daylight saving time', () => {
    expect(formatInZone(new Date('2026-12-08T01:00:00Z'), 'Europe/Berlin')).toBe('Tue, 8 Dec 2026, 02:00 GMT+1');
    expect(formatInZone(new Date('2026-07-08T00:00:00Z'), 'Europe/Berlin')).toBe('Wed, 8 Jul 2026, 02:00 GMT+2');
  });
});

const settings: ScheduleSettings = {
  cron: '0 2 * * *',
  timezone: 'Europe/Berlin',
  catchupWindowMs: 15 * 60 * 1000,
  overlap: 'SKIP',
  pauseOnFailure: false,
  workflowType: 'syncRoster',
  taskQueue: 'rosterflow',
  workflowId: 'rosterflow-acme-people-scheduled',
  args: [{ syncId: 'acme-people' }],
  summary: 'acme-people: csv -> csv-file',
  paused: false,
};

describe('changedSettings', () => {
  it('finds nothing between equal settings', () => {
    expect(changedSettings(settings, { ...settings }, { includePaused: true })).toEqual([]);
  });

  it('names each changed setting with its old and new value', () => {
    const desired = { ...settings, cron: '30 5 * * 1-5', catchupWindowMs: 60 * 60 * 1000, summary: 'x: csv -> scim' };
    expect(changedSettings(settings, desired, { includePaused: false }).map(describeChange)).toEqual([
      'cron "0 2 * * *" -> "30 5 * * 1-5"',
      'catchupWindow 15m -> 1h',
      'summary "acme-people: csv -> csv-file" -> "x: csv -> scim"',
    ]);
  });

  it('leaves a pause out unless asked: a pause made in Temporal is no difference from the config', () => {
    const paused = { ...settings, paused: true };
    expect(changedSettings(paused, settings, { includePaused: false })).toEqual([]);
    expect(changedSettings(paused, settings, { includePaused: true }).map(describeChange)).toEqual([
      'paused yes -> no',
    ]);
  });

  it('says when Temporal has no recorded value, and compares durations to the second', () => {
    const older = { ...settings, cron: undefined, summary: undefined, catchupWindowMs: 15 * 60 * 1000 + 200 };
    expect(changedSettings(older, settings, { includePaused: false }).map(describeChange)).toEqual([
      'cron (not recorded) -> "0 2 * * *"',
      'summary (none) -> "acme-people: csv -> csv-file"',
    ]);
  });
});

describe('formatScheduleChange', () => {
  it('lines up outcomes and lists the changed settings', () => {
    const change = {
      scheduleId: 'rosterflow-acme-people',
      syncId: 'acme-people',
      outcome: 'updated' as const,
      changes: ['timezone Europe/Berlin -> Asia/Kolkata', 'paused no -> yes'],
    };
    expect(formatScheduleChange(change, false)).toBe(
      'updated       rosterflow-acme-people  (timezone Europe/Berlin -> Asia/Kolkata; paused no -> yes)',
    );
    expect(formatScheduleChange(change, true)).toBe(
      'would update  rosterflow-acme-people  (timezone Europe/Berlin -> Asia/Kolkata; paused no -> yes)',
    );
    expect(formatScheduleChange({ ...change, outcome: 'created', changes: [] }, true)).toBe(
      'would create  rosterflow-acme-people',
    );
    expect(formatScheduleChange({ ...change, outcome: 'unchanged', changes: [] }, true)).toBe(
      'unchanged     rosterflow-acme-people',
    );
  });
});

describe('formatScheduleList', () => {
  const listing: ScheduleListing = {
    syncId: 'acme-people',
    scheduleId: 'rosterflow-acme-people',
    cron: '0 2 * * *',
    timezone: 'Europe/Berlin',
    summary: 'acme-people: csv -> csv-file',
    paused: true,
    note: 'Paused by ops-alice: INC-42',
    inConfig: false,
    nextRuns: [new Date('2026-12-08T01:00:00Z'), new Date('2026-12-09T01:00:00Z')],
    lastRun: {
      workflowId: 'rosterflow-acme-people-scheduled-2026-12-07T01:00:00Z',
      runId: 'r1',
      status: 'COMPLETED',
      runStatus: 'partial',
      startedAt: new Date('2026-12-07T01:00:02Z'),
    },
  };

  it('shows a schedule, its pause note, next runs and last run in its zone', () => {
    expect(formatScheduleList({ schedules: [listing], notApplied: ['acme-hibob'] })).toBe(
      [
        'acme-people  (schedule rosterflow-acme-people; runs "acme-people: csv -> csv-file")',
        '  cron       0 2 * * * in Europe/Berlin',
        '  state      PAUSED: Paused by ops-alice: INC-42',
        '  next runs  Tue, 8 Dec 2026, 02:00 GMT+1; Wed, 9 Dec 2026, 02:00 GMT+1 (none start while paused)',
        '  last run   COMPLETED (partial), started Mon, 7 Dec 2026, 02:00 GMT+1: workflow rosterflow-acme-people-scheduled-2026-12-07T01:00:00Z',
        '  its sync is no longer in the config: `rosterflow schedules apply --prune` deletes it',
        '',
        'Scheduled in the config but not in Temporal: acme-hibob (run `rosterflow schedules apply`)',
      ].join('\n'),
    );
  });

  it('says when there is nothing to list, and when a schedule has not run yet', () => {
    expect(formatScheduleList({ schedules: [], notApplied: [] })).toBe('No rosterflow schedules in this namespace.');
    const idle = { ...listing, paused: false, inConfig: true, lastRun: undefined };
    expect(formatScheduleList({ schedules: [idle], notApplied: [] })).toContain('  state      active\n');
    expect(formatScheduleList({ schedules: [idle], notApplied: [] })).toContain('  last run   none yet');
  });
});
