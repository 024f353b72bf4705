import { Cron } from 'croner';

/**
 * When a Temporal Schedule with a given cron expression last fired, computed the way Temporal's
 * scheduler does (service/worker/scheduler/calendar.go and spec.go), for the expressions
 * config/cron.ts accepts:
 * - 5 fields (minute hour day-of-month month day-of-week), 6 (a year at the end), 7 (also a second
 *   in front), read in the schedule's time zone;
 * - day of month and day of week must both match (Temporal ANDs them, unlike classic cron);
 * - `a/n` means `a-<max>/n`;
 * - across daylight saving: a local time the clocks skip never fires, a local time that occurs
 *   twice fires twice (Temporal's rule for every expression, which croner applies to "interval"
 *   patterns only, so the second field is written as a range to make every pattern one);
 * - the macros (`@daily`, `@weekly`, ...) as Temporal expands them;
 * - `@every <n>[/<phase>]`: an interval counted from the Unix epoch (plus the phase), whatever the
 *   time zone, as Temporal's IntervalSpec does.
 * A `CRON_TZ=` prefix is not accepted by config/cron.ts, so it is not handled here.
 */

/** Temporal's expansions (calendar.go, handlePredefinedCronStrings). */
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const EVERY = /^@every (\d+)([smhd])(?:\/(\d+)([smhd]))?$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The largest value of each of croner's seven fields, for Temporal's `a/n`. */
const MAX = [59, 59, 23, 31, 12, 7, 2100];

/** The latest time at or before `notAfter` the schedule fires, or undefined if it never has. */
export function latestFireTime(cron: string, timezone: string, notAfter: Date): Date | undefined {
  const expression = cron.trim();
  const every = EVERY.exec(expression);
  if (every) return latestInterval(every, notAfter);
  const pattern = cronerPattern(MACROS[expression] ?? expression);
  // croner's previous runs are strictly before the reference, and fire times are whole seconds.
  const reference = new Date(Math.floor(notAfter.getTime() / 1000) * 1000 + 1000);
  const [latest] = new Cron(pattern, { timezone, mode: '7-part', domAndDow: true }).previousRuns(1, reference);
  return latest;
}

function latestInterval(match: RegExpExecArray, notAfter: Date): Date | undefined {
  const [, count, unit, phaseCount, phaseUnit] = match;
  const interval = Number(count) * UNIT_MS[unit!]!;
  const phase = phaseCount === undefined ? 0 : Number(phaseCount) * UNIT_MS[phaseUnit!]!;
  if (interval <= 0) return undefined;
  const latest = Math.floor((notAfter.getTime() - phase) / interval) * interval + phase;
  return latest < 0 ? undefined : new Date(latest);
}

/** A Temporal cron expression as croner's seven fields (second minute hour day month weekday year). */
function cronerPattern(expression: string): string {
  const fields = expression.split(/\s+/);
  const seven =
    fields.length === 5 ? ['0', ...fields, '*'] : fields.length === 6 ? ['0', ...fields] : [...fields.slice(0, 7)];
  const expanded = seven.map((value, index) =>
    value.replace(
      /(^|,)(\d+)\/(\d+)/g,
      (_all, lead: string, start: string, step: string) => `${lead}${start}-${MAX[index]}/${step}`,
    ),
  );
  expanded[0] = asRange(expanded[0]!);
  return expanded.join(' ');
}

/**
 * croner treats a pattern with single-valued seconds, minutes and hours as "fixed time" (moved out
 * of a DST gap, fired once in a repeated hour); a step in the second field makes it an "interval"
 * pattern, which behaves as Temporal does. `0` and `0-0/1` are the same seconds.
 */
function asRange(seconds: string): string {
  if (seconds.includes('/') || seconds.includes('*')) return seconds;
  return seconds
    .split(',')
    .map((part) => (/^\d+$/.test(part) ? `${part}-${part}/1` : /^\d+-\d+$/.test(part) ? `${part}/1` : part))
    .join(',');
}
