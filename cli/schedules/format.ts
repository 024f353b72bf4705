import type { ScheduleChange, ScheduleOutcome } from '../apply-schedules';
import type { ScheduleList, ScheduleListing, WatchdogListing } from './list';

/**
 * A time as a clock in `timeZone` reads it, with its offset: `Tue, 8 Dec 2026, 02:00 GMT+1`. The
 * offset rather than a zone abbreviation, which many locales and zones do not have.
 */
export function formatInZone(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'shortOffset',
  }).format(date);
}

/** What `schedules list` prints: one block per schedule. */
export function formatScheduleList(list: ScheduleList): string {
  const blocks = list.schedules.map(formatListing);
  if (blocks.length === 0) {
    blocks.push(`No ${list.watchdog ? 'sync schedules' : 'rosterflow schedules'} in this namespace.`);
  }
  if (list.watchdog) blocks.push(formatWatchdog(list.watchdog));
  if (list.notApplied.length > 0) {
    blocks.push(
      `Scheduled in the config but not in Temporal: ${list.notApplied.join(', ')} (run \`rosterflow schedules apply\`)`,
    );
  }
  return blocks.join('\n\n');
}

function formatListing(schedule: ScheduleListing): string {
  const zone = schedule.timezone;
  const lines = [
    `${schedule.syncId}  (schedule ${schedule.scheduleId}${schedule.summary ? `; runs "${schedule.summary}"` : ''})`,
    `  cron       ${schedule.cron ?? '(not recorded: run `rosterflow schedules apply`)'} in ${zone}`,
    `  state      ${schedule.paused ? `PAUSED: ${schedule.note ?? '(no note)'}` : 'active'}`,
  ];
  const next = schedule.nextRuns.map((date) => formatInZone(date, zone));
  lines.push(
    `  next runs  ${next.length > 0 ? next.join('; ') : 'none'}${schedule.paused && next.length > 0 ? ' (none start while paused)' : ''}`,
  );
  const last = schedule.lastRun;
  lines.push(
    last
      ? `  last run   ${last.status}${last.runStatus ? ` (${last.runStatus})` : ''}, started ${formatInZone(last.startedAt, zone)}: workflow ${last.workflowId}`
      : '  last run   none yet',
  );
  if (schedule.inConfig === false) {
    lines.push('  its sync is no longer in the config: `rosterflow schedules apply --prune` deletes it');
  }
  return lines.join('\n');
}

/** The watchdog apart from the syncs' schedules, times in UTC (it has no time zone of its own). */
function formatWatchdog(watchdog: WatchdogListing): string {
  const watching = watchdog.watching;
  const lines = [
    `stale-sync watchdog  (schedule ${watchdog.scheduleId}: not a sync; runs watchSyncs every ${watchdog.every})`,
    `  watches    ${
      watching === undefined
        ? '(no config read)'
        : watching.length > 0
          ? watching.join(', ')
          : 'no sync alerts on stale: the next `rosterflow schedules apply` deletes it'
    }`,
    `  state      ${watchdog.paused ? `PAUSED: ${watchdog.note ?? '(no note)'}` : 'active'}`,
  ];
  const next = watchdog.nextRuns.map((date) => formatInZone(date, 'UTC'));
  lines.push(`  next runs  ${next.length > 0 ? next.join('; ') : 'none'}`);
  const last = watchdog.lastRun;
  lines.push(
    last
      ? `  last run   ${last.status}, started ${formatInZone(last.startedAt, 'UTC')}: workflow ${last.workflowId}`
      : '  last run   none yet',
  );
  return lines.join('\n');
}

const WOULD: Record<ScheduleOutcome, string> = {
  created: 'would create',
  updated: 'would update',
  deleted: 'would delete',
  unchanged: 'unchanged',
  'not scheduled': 'not scheduled',
};

/** `updated       rosterflow-acme-people  (timezone Europe/Berlin -> Asia/Kolkata)`, or `would update ...` in a dry run. */
export function formatScheduleChange(change: ScheduleChange, dryRun: boolean): string {
  const outcome = dryRun ? WOULD[change.outcome] : change.outcome;
  const notes = [...(change.changes ?? []), ...(change.note ? [change.note] : [])];
  return `${outcome.padEnd(13)} ${change.scheduleId}${notes.length > 0 ? `  (${notes.join('; ')})` : ''}`;
}
