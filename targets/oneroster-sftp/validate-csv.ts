import { CsvError, Parser } from 'csv-parse';
import type { InfoRecord } from 'csv-parse';
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

/** A file's header, by which its records' cells are looked up. */
export interface CsvColumns {
  file: string;
  header: readonly string[];
  /** The cell of `column` in `record`, or '' when the file has no such column. */
  get(record: CsvRecord, column: string): string;
  has(column: string): boolean;
}

/** What is done with a file's rows as they are parsed: its header first, then each record in order. */
export interface CsvHandlers {
  header?(columns: CsvColumns): void;
  record(record: CsvRecord, columns: CsvColumns): void;
}

/** Takes a file's bytes in order, split anywhere (mid-row, mid-character). */
export interface CsvSink {
  write(chunk: Buffer): void;
  /** After the last chunk: what makes the file unreadable (not CSV, no header), or undefined. */
  end(): PackageProblem | undefined;
}

/** A file the package check asks for: its bytes go to `write` in order, then the check carries on. */
export interface FileRead {
  file: string;
  write: (chunk: Buffer) => void;
}

type Report = (problem: PackageProblem) => void;

/**
 * Parses a file as its bytes arrive, RFC 4180 with a tolerated BOM, handing each record over as it
 * completes, so memory holds one row whatever the file's size. A ragged row or a line break in a cell
 * is reported as the row passes. A file that does not parse or has no header is unreadable: `end()`
 * says why, and what was reported for its rows before is the caller's to drop.
 */
export function csvSink(file: string, report: Report, handlers: CsvHandlers): CsvSink {
  let columns: CsvColumns | undefined;
  let unreadable: PackageProblem | undefined;
  const step = parserSteps((cells, { lines }) => {
    if (!columns) {
      columns = columnsOf(file, cells);
      handlers.header?.(columns);
      return;
    }
    const record: CsvRecord = { line: lines, cells, complete: cells.length === columns.header.length };
    checkShape(record, columns, report);
    handlers.record(record, columns);
  });
  const run = (chunk: Buffer | undefined) => {
    if (unreadable) return;
    const error = step(chunk);
    if (error === undefined) return;
    // Anything else was thrown by a handler: a bug to surface, not a file to blame.
    if (!(error instanceof CsvError)) throw error;
    const { lines } = error;
    unreadable = {
      file,
      ...(typeof lines === 'number' ? { line: lines } : {}),
      message: `is not valid CSV (${error.code})`,
    };
  };
  return {
    write: (chunk) => {
      if (chunk.length > 0) run(chunk);
    },
    end() {
      run(undefined);
      if (!unreadable && !columns) unreadable = { file, message: 'is empty; the header row is required' };
      return unreadable;
    },
  };
}

/**
 * csv-parse's parser stepped directly: its transform and flush run synchronously and call back before
 * returning, so a whole string and a stream's chunks take the same path, and records go to `onRecord`
 * instead of queueing in a stream. Returns what a step failed with.
 */
function parserSteps(
  onRecord: (cells: string[], info: InfoRecord) => void,
): (chunk: Buffer | undefined) => Error | undefined {
  const parser = new Parser({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: false,
    on_record: (cells: string[], info) => {
      onRecord(cells, info);
      return null;
    },
  });
  return (chunk) => {
    let failure: Error | undefined;
    const done = (error?: Error | null) => {
      failure = error ?? undefined;
    };
    // 'buffer' is what a stream passes with a Buffer; the parser reads bytes either way.
    if (chunk) parser._transform(chunk, 'buffer' as BufferEncoding, done);
    else parser._flush(done);
    return failure;
  };
}

function columnsOf(file: string, header: readonly string[]): CsvColumns {
  const positions = new Map<string, number>();
  header.forEach((name, at) => {
    if (!positions.has(name)) positions.set(name, at);
  });
  return {
    file,
    header,
    get(record, column) {
      const at = positions.get(column);
      return at === undefined ? '' : (record.cells[at] ?? '');
    },
    has: (column) => positions.has(column),
  };
}

/** As many cells as the header, none with a line break. */
function checkShape(record: CsvRecord, { file, header }: CsvColumns, report: Report): void {
  const { cells, line } = record;
  if (!record.complete)
    report({
      file,
      line,
      message: `has ${cells.length} ${cells.length === 1 ? 'cell' : 'cells'}; the header has ${header.length}`,
    });
  cells.forEach((value, at) => {
    if (/[\r\n]/.test(value))
      report({ file, line, column: header[at] ?? `#${at + 1}`, message: 'must not contain line breaks' });
  });
}

/**
 * Header names are case-sensitive and unique, every standard column is present, and the standard
 * columns appear in exactly the spec's order. Extension columns, where allowed, go to their right.
 */
export function checkHeader(
  csv: Pick<CsvColumns, 'file' | 'header'>,
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
