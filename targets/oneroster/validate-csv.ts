import { parse } from 'csv-parse/sync';
import { z } from 'zod';

/** One thing wrong with a package: where (file, 1-based line, column) and what, never a cell's value. */
export interface PackageProblem {
  file: string;
  line?: number;
  column?: string;
  message: string;
}

export interface CsvRecord {
  /** The line the record ends on (the header is line 1). */
  line: number;
  cells: readonly string[];
  /** As many cells as the header; a row that is not is reported once and its cells not checked. */
  complete: boolean;
}

/** A parsed file whose cells are looked up by header name. */
export interface ParsedCsv {
  file: string;
  header: readonly string[];
  records: readonly CsvRecord[];
  /** The cell of `column` in `record`, or '' when the file has no such column. */
  get(record: CsvRecord, column: string): string;
  has(column: string): boolean;
}

type Report = (problem: PackageProblem) => void;

/** RFC 4180 with a tolerated BOM; a file that does not parse is reported once and yields nothing. */
export function parseCsv(file: string, text: string, report: Report): ParsedCsv | undefined {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: false,
    }) as unknown as typeof parsed;
  } catch (err) {
    const lines = (err as { lines?: unknown }).lines;
    report({
      file,
      ...(typeof lines === 'number' ? { line: lines } : {}),
      message: `is not valid CSV (${(err as { code?: unknown }).code as string})`,
    });
    return undefined;
  }
  const [first, ...rest] = parsed;
  if (!first) {
    report({ file, message: 'is empty; the header row is required' });
    return undefined;
  }
  const header = first.record;
  const positions = new Map<string, number>();
  header.forEach((name, at) => {
    if (!positions.has(name)) positions.set(name, at);
  });
  const records = rest.map(({ record, info }) => ({
    line: info.lines,
    cells: record,
    complete: record.length === header.length,
  }));
  for (const record of records) {
    if (!record.complete) {
      report({
        file,
        line: record.line,
        message: `has ${record.cells.length} ${record.cells.length === 1 ? 'cell' : 'cells'}; the header has ${header.length}`,
      });
    }
    record.cells.forEach((value, at) => {
      if (/[\r\n]/.test(value))
        report({
          file,
          line: record.line,
          column: header[at] ?? `#${at + 1}`,
          message: 'must not contain line breaks',
        });
    });
  }
  return {
    file,
    header,
    records,
    get(record, column) {
      const at = positions.get(column);
      return at === undefined ? '' : (record.cells[at] ?? '');
    },
    has: (column) => positions.has(column),
  };
}

/**
 * Header names are case-sensitive and unique, every standard column is present, and the standard
 * columns appear in exactly the spec's order. Extension columns, where allowed, go to their right.
 */
export function checkHeader(
  csv: ParsedCsv,
  expected: readonly string[],
  extensions: 'allowed-after' | 'forbidden',
  receiver: string,
  report: Report,
): void {
  const { file, header } = csv;
  const at = (message: string, column?: string) => report({ file, line: 1, ...(column ? { column } : {}), message });
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) at(`repeats column "${name}"`, name);
    seen.add(name);
  }
  const standard = new Set(expected);
  for (const name of expected) if (!seen.has(name)) at(`is missing column "${name}"`, name);
  const lastStandard = Math.max(...header.map((name, index) => (standard.has(name) ? index : -1)));
  header.forEach((name, index) => {
    if (standard.has(name)) return;
    if (extensions === 'forbidden') at(`has column "${name}", which ${receiver} does not define`, name);
    else if (index < lastStandard)
      at(`has extension column "${name}" among the standard columns; extensions go to their right`, name);
  });
  const present = [...new Set(header.filter((name) => standard.has(name)))];
  const order = expected.filter((name) => seen.has(name));
  if (present.some((name, index) => name !== order[index]))
    at(`has its columns out of order; ${receiver} expects ${expected.join(',')}`);
}

const Email = z.email();
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function isEmail(value: string): boolean {
  return Email.safeParse(value).success;
}

/** `YYYY-MM-DD` naming a real calendar day. */
export function isDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** An ISO 8601 date-time with seconds and a zone, e.g. `2026-11-30T02:00:00.000Z`. */
export function isDateTime(value: string): boolean {
  return ISO_DATE_TIME.test(value) && isDate(value.slice(0, 10)) && !Number.isNaN(Date.parse(value));
}

/** A comma-joined list cell (`a,b`); entries are trimmed, empty entries dropped. */
export function listOf(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
