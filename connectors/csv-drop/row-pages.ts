import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import type { z } from 'zod';
import { Hash64Set, hash64 } from '../../core/hash64';
import { RosterflowError } from '../../core/errors';
import { EMPLOYEE_FIELDS } from '../../core/employee';
import type { Employee } from '../../core/employee';
import type { EmployeePage, RowRejection } from '../sdk/source';
import { CsvDropConfigSchema } from './config';
import { createDecoder } from './decode';
import { LineCountingParser } from './line-counting-parser';
import type { LinedRecord } from './line-counting-parser';
import { columnOf, createRowMapper } from './mappers/to-employee';

/** Headers every file must have, whether mapped explicitly or by their canonical name. */
const REQUIRED_FIELDS = ['sourceId', 'status'] as const;

/**
 * Rows per page handed to the build, at most: the build gathers `pageSize` rows of them before it
 * stores and checkpoints, so small pages cost no extra store writes, and each row's objects are
 * short-lived (they die young in the parsing thread's small young generation, instead of being
 * copied out of it again and again while a large page fills).
 */
export const HANDED_ROWS = 250;

/**
 * A record of more text than this (a million characters) is a broken file, most likely a quote never
 * closed: it fails at its line instead of filling the parsing thread's memory. Spreadsheets cap a
 * cell at 32,767 characters.
 */
const MAX_RECORD_CHARS = 1_000_000;

/**
 * What reading the file's rows needs of the source's config: how to decode, split and map them.
 * No path, no server, no secret reference: this is all the parsing thread is told.
 */
export const CsvRowSettingsSchema = CsvDropConfigSchema.pick({
  delimiter: true,
  encoding: true,
  columns: true,
  customFields: true,
  statusMap: true,
  pageSize: true,
});
export type CsvRowSettings = z.infer<typeof CsvRowSettingsSchema>;

/**
 * The file's bytes -> pages of canonical employees and rejected rows, skipping the first `skip`
 * records (a resumed listing's cursor). Rows are named by the line they start on; a row repeating an
 * earlier accepted row's id is rejected, so memory holds a page plus the ids seen. Bad input fails
 * with a RosterflowError naming the line; a failure of `bytes` itself is thrown as it came.
 */
export async function* readRowPages(
  bytes: Readable,
  settings: CsvRowSettings,
  skip: number,
): AsyncGenerator<EmployeePage> {
  let mapRow: ReturnType<typeof createRowMapper> | undefined;
  let header: string[] | undefined;
  const parser = new LineCountingParser({
    delimiter: settings.delimiter,
    maxRecordChars: MAX_RECORD_CHARS,
    onHeader: (cells) => {
      header = checkHeader(cells, settings);
      mapRow = createRowMapper(settings, header);
    },
  });
  // Any stage's error (a dropped connection, a bad byte, malformed CSV) destroys the others and
  // surfaces in the loop below; stopping the loop early destroys them all.
  pipeline(bytes, createDecoder(settings.encoding), parser, () => undefined);
  try {
    // The line of each id's first accepted row, by the id's hash (8 bytes, not a string, per
    // person). Skipped rows are mapped too, so a resumed listing rejects the same repeats.
    const idLines = new Hash64Set({ withValues: true });
    const idColumn = columnOf(settings, 'sourceId');
    // Rows (records and rejections, as the build counts them) the build has gathered since it last
    // stored, counted by the build's own rule (activities/build.ts): a page ends where the build's
    // gathered page reaches pageSize, so each stored page holds pageSize rows (a row refused for
    // several fields may carry it a little past).
    let gathered = 0;
    const pageLimit = () => Math.min(HANDED_ROWS, settings.pageSize - gathered);
    let limit = pageLimit();
    let consumed = 0;
    let records: Employee[] = [];
    let rejected: RowRejection[] = [];
    const page = (): EmployeePage => ({ records, rejected, cursor: String(consumed) });
    for await (const batch of parser as AsyncIterable<LinedRecord[]>) {
      for (const cells of batch) {
        // A row of empty cells (`,,,,`, what spreadsheets save for rows once edited) holds nobody.
        if (cells.every((cell) => cell === '')) continue;
        consumed += 1;
        const mapped = mapRow!(cells, cells.line);
        const repeat = mapped.ok
          ? repeatOf(hash64(mapped.employee.sourceId), cells.line, idLines, idColumn)
          : undefined;
        if (consumed <= skip) continue;
        if (!mapped.ok) rejected.push(...mapped.rejections);
        else if (repeat) rejected.push(repeat);
        else records.push(mapped.employee);
        if (records.length + rejected.length >= limit) {
          gathered += records.length + rejected.length;
          if (gathered >= settings.pageSize) gathered = 0;
          yield page();
          records = [];
          rejected = [];
          limit = pageLimit();
        }
      }
    }
    if (records.length > 0 || rejected.length > 0) yield page();
    // A header-only file is an empty roster; a file without even a header is a broken export.
    if (header === undefined) {
      throw new RosterflowError('InvalidInput', 'csv source: the file is empty; the header row is required');
    }
  } finally {
    parser.destroy();
  }
}

function checkHeader(header: string[], settings: CsvRowSettings): string[] {
  const present = new Set(header.map((name) => name.trim()));
  const mapped = settings.columns as Record<string, string | undefined>;
  const missing: string[] = [];
  for (const [field, column] of Object.entries(mapped)) {
    if (column !== undefined && !present.has(column)) missing.push(`"${column}" (source.columns.${field})`);
  }
  for (const field of REQUIRED_FIELDS) {
    const column = mapped[field] ?? field;
    if (mapped[field] === undefined && !present.has(column)) missing.push(`"${column}" (required for ${field})`);
  }
  for (const [name, column] of Object.entries(settings.customFields)) {
    if (!present.has(column)) missing.push(`"${column}" (source.customFields.${name})`);
  }
  if (missing.length > 0) {
    throw new RosterflowError('InvalidInput', `csv source: the file header lacks the column(s) ${missing.join(', ')}`);
  }
  // A column the mapping reads must be there once: which copy is the right one cannot be told.
  const names = header.map((name) => name.trim());
  const read = new Set([
    ...EMPLOYEE_FIELDS.filter((field) => field !== 'rawStatus').map((field) => mapped[field] ?? field),
    ...Object.values(settings.customFields),
  ]);
  const repeated = [...read].filter((column) => names.indexOf(column) !== names.lastIndexOf(column));
  if (repeated.length > 0) {
    const list = repeated.map((column) => `"${column}"`).join(', ');
    throw new RosterflowError('InvalidInput', `csv source: the file header has the column(s) ${list} more than once`);
  }
  return names;
}

/**
 * The rejection of a row whose id (by its hash) an earlier accepted row has, which of them is right
 * cannot be told; undefined for the id's first row, whose line is kept.
 */
function repeatOf(idHash: bigint, line: number, idLines: Hash64Set, idColumn: string): RowRejection | undefined {
  if (idLines.add(idHash, line)) return undefined;
  return { row: `line ${line}`, field: idColumn, reason: `is already on line ${idLines.get(idHash)}` };
}
