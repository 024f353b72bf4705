import { CronPattern } from 'croner';

/**
 * Cron expressions as Temporal Schedules read them (5 fields; 6 with a year at the end; 7 with a
 * second in front and a year at the end; or a macro), checked field by field with croner, so a
 * mistake is named before `schedules apply` sends it to Temporal. Temporal knows no `L`, `W`, `?`
 * or `#` (it reads `#` as the start of a comment), so those are refused here too.
 */
const FIELDS = ['second', 'minute', 'hour', 'day of month', 'month', 'day of week', 'year'] as const;
type Field = (typeof FIELDS)[number];

/** Which of the seven fields each length of expression fills. */
const LAYOUTS: Record<number, readonly Field[]> = {
  5: FIELDS.slice(1, 6),
  6: FIELDS.slice(1),
  7: FIELDS,
};

/** The years Temporal's server accepts in a cron expression. */
const YEARS = { min: 2000, max: 2100 };

const ALLOWED: Record<Field, string> = {
  second: '0-59',
  minute: '0-59',
  hour: '0-23',
  'day of month': '1-31',
  month: '1-12 or JAN-DEC',
  'day of week': '0-7 (0 and 7 are Sunday) or SUN-SAT',
  year: `${YEARS.min}-${YEARS.max}`,
};

export const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** `@every <interval>[/<phase>]`, each a whole number with s, m, h or d: Temporal makes it an interval. */
const EVERY = /^@every \d+[smhd](\/\d+[smhd])?$/;

/** The largest value of each field: `a/n` means `a-max/n` to Temporal, a form croner does not take. */
const MAX: Record<Field, number> = {
  second: 59,
  minute: 59,
  hour: 23,
  'day of month': 31,
  month: 12,
  'day of week': 7,
  year: YEARS.max,
};

/** What is wrong with a cron expression (`must be ...`), or undefined when Temporal can run it. */
export function cronProblem(expression: string): string | undefined {
  const trimmed = expression.trim();
  if (trimmed.startsWith('@')) {
    return CRON_MACROS.includes(trimmed) || EVERY.test(trimmed)
      ? undefined
      : `must be a cron expression, one of the macros ${CRON_MACROS.join(', ')}, or "@every <n>[smhd]"`;
  }
  const values = trimmed.split(/\s+/);
  const layout = LAYOUTS[values.length];
  if (!layout) {
    return (
      'must be a cron expression such as "0 2 * * *" (5 fields: minute hour day-of-month month day-of-week; ' +
      `6 adds a year at the end, 7 also a second in front) or a macro such as "@daily", not ${values.length} field(s)`
    );
  }
  for (const [index, field] of layout.entries()) {
    const value = values[index] ?? '';
    if (!fieldIsValid(field, value)) {
      const allowed = `${ALLOWED[field]}, with ranges a-b, steps */n, a/n and a-b/n, and lists a,b`;
      return `must be a cron expression: its ${field} field "${value}" is not valid (allowed: ${allowed})`;
    }
  }
  return undefined;
}

function fieldIsValid(field: Field, value: string): boolean {
  // Only numbers, names (three letters or more), * , - and /: croner's L, W, ? and # mean nothing to Temporal.
  const names = field === 'month' || field === 'day of week';
  if (!(names ? /^[\dA-Za-z*,/-]+$/ : /^[\d*,/-]+$/).test(value)) return false;
  if (names && /(^|[^A-Za-z])[A-Za-z]{1,2}([^A-Za-z]|$)/.test(value)) return false;
  if (field === 'year' && !yearsInRange(value)) return false;
  // `5/15` is `5-59/15` to Temporal; croner only takes the long form.
  const expanded = value.replace(
    /(^|,)(\d+)\/(\d+)/g,
    (_all, lead: string, start: string, step: string) => `${lead}${start}-${MAX[field]}/${step}`,
  );
  // Every other field stays a wildcard, so croner's verdict is about this one field only.
  const pattern = FIELDS.map((other) => (other === field ? expanded : other === 'second' ? '0' : '*')).join(' ');
  try {
    new CronPattern(pattern, undefined, { mode: '7-part' });
    return true;
  } catch {
    return false;
  }
}

function yearsInRange(value: string): boolean {
  // Step sizes (`*/2`, `2030/5`) are not years.
  const years = value.match(/(?<!\/)\d+/g) ?? [];
  return years.every((year) => Number(year) >= YEARS.min && Number(year) <= YEARS.max);
}
