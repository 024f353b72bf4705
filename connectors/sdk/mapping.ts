import { EmployeeSchema } from '../../core/employee';
import { quickEmployee } from '../../core/employee-quick-check';
import type { Employee, EmploymentStatus } from '../../core/employee';
import type { RowRejection } from './source';

export type MappedRow = { ok: true; employee: Employee } | { ok: false; rejections: RowRejection[] };

/**
 * Validates a mapper's candidate against the canonical schema. Empty strings and nulls count as
 * absent. Rejections name the row and field, never the value.
 */
export function validateEmployee(candidate: Record<string, unknown>, rowLabel: string): MappedRow {
  return validateCompactEmployee(compact(candidate), rowLabel);
}

/**
 * validateEmployee for a candidate built compact (only trimmed, non-blank text and no absent values,
 * as the CSV mapper builds its rows): a valid one is taken as it is, without compact's copy.
 */
export function validateCompactEmployee(candidate: Record<string, unknown>, rowLabel: string): MappedRow {
  // Most rows are plain and valid: checked without the schema's result objects.
  const quick = quickEmployee(candidate);
  if (quick) return { ok: true, employee: quick };
  const parsed = EmployeeSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, employee: parsed.data };
  return {
    ok: false,
    rejections: parsed.error.issues.map((issue) => ({
      row: rowLabel,
      field: issue.path.join('.') || 'record',
      reason: issue.message,
    })),
  };
}

/** Drops undefined, null and blank values (recursively for plain objects) so optional fields stay absent. */
export function compact(candidate: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(candidate)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') {
      const trimmed = value.trim();
      if (trimmed) result[key] = trimmed;
      continue;
    }
    if (typeof value === 'object' && !Array.isArray(value)) {
      const inner = compact(value as Record<string, unknown>);
      if (Object.keys(inner).length > 0) result[key] = inner;
      continue;
    }
    result[key] = value;
  }
  return result;
}

/** A value as trimmed text, or undefined for null, blanks and non-scalars. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * A date as `YYYY-MM-DD`. HR systems send dates, date-times with offsets (Personio, Graph) and
 * placeholders for "none" (`0000-00-00` in older BambooHR accounts): those become undefined. The
 * calendar date is kept as written, not shifted to UTC: a hire on 2024-03-04 in Berlin stays that date.
 * Anything else is passed through so validation rejects it with a reason.
 */
export function isoDate(value: unknown): string | undefined {
  const raw = text(value);
  if (raw === undefined || /^0000-00-00/.test(raw)) return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(raw);
  return match ? match[1] : raw;
}

/**
 * Maps a source's status word to the canonical status through the connector's table (keys
 * lower-case). An unknown word maps to undefined, which the schema rejects: guessing "inactive"
 * would deactivate someone.
 */
export function mapStatus(
  raw: unknown,
  table: Readonly<Record<string, EmploymentStatus>>,
): EmploymentStatus | undefined {
  const word = text(raw)?.toLowerCase();
  return word === undefined ? undefined : table[word];
}

/** Custom fields as strings, dropping empty ones. */
export function customFieldsOf(values: Record<string, unknown>): Record<string, string> | undefined {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    const asText = text(value);
    if (asText !== undefined) result[name] = asText;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

/** A connector's built-in status words merged with the sync's own `statusMap` (matched lower-case). */
export function statusTable(
  builtIn: Readonly<Record<string, EmploymentStatus>>,
  statusMap: Readonly<Record<string, EmploymentStatus>>,
): Record<string, EmploymentStatus> {
  return {
    ...builtIn,
    ...Object.fromEntries(Object.entries(statusMap).map(([word, status]) => [word.toLowerCase(), status])),
  };
}

/** Reads a dotted path (`work.custom.team`) from a nested record; undefined where it leads nowhere. */
export function readPath(record: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined),
      record,
    );
}
