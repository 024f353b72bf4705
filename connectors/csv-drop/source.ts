import { addAbortSignal, pipeline } from 'node:stream';
import { Hash64Set, hash64 } from '../../core/hash64';
import { RosterflowError } from '../../core/errors';
import { EMPLOYEE_FIELDS } from '../../core/employee';
import type { Employee } from '../../core/employee';
import type { MappedRow } from '../sdk/mapping';
import type { EmployeePage, RowRejection, SourceConnector, SourceContext, SourceDeps } from '../sdk/source';
import type { CsvDropConfig } from './config';
import { createDecoder } from './decode';
import { LineCountingParser } from './line-counting-parser';
import type { LinedRecord } from './line-counting-parser';
import { columnOf, createRowMapper } from './mappers/to-employee';
import { createLocalReader } from './readers/local';
import type { OpenLocalFile } from './readers/local';
import { openWithRetries } from './readers/reader';
import type { FileReader, RetryPolicy } from './readers/reader';
import { createSftpReader } from './readers/sftp';

/** Headers every file must have, whether mapped explicitly or by their canonical name. */
const REQUIRED_FIELDS = ['sourceId', 'status'] as const;

/**
 * Rows per page handed to the build, at most: the build gathers `pageSize` rows of them before it
 * stores and checkpoints, so small pages cost no extra store writes, and each row's objects are
 * short-lived (they die young, instead of filling the worker's heap a large page at a time).
 */
const HANDED_ROWS = 500;

/** Rides out a refused connection or a locked file for about 3.5 s before leaving it to the activity's retries. */
const DEFAULT_RETRY: RetryPolicy = { attempts: 4, backoffMs: 500 };

export interface CsvDropOptions {
  /** Opening the file: attempts and backoff for transient failures. Tests shorten the backoff. */
  retry?: RetryPolicy;
  /** Opens local files; tests substitute one that fails as a locked or unreadable file would. */
  openLocalFile?: OpenLocalFile;
}

/**
 * Reads a CSV drop, local or over SFTP, as a stream in pages. The cursor is the number of data
 * records already consumed: a resumed listing opens and re-reads the file from its start and skips
 * that many records (nothing is kept between attempts), so it yields exactly the remaining ones as
 * long as the file has not been replaced in between. Rows are named by the line they start on; a
 * row repeating an earlier accepted row's id is rejected, so memory holds a page plus the ids seen.
 */
export function createCsvDropSource(
  config: CsvDropConfig,
  deps: Pick<SourceDeps, 'resolveSecret'>,
  options: CsvDropOptions = {},
): SourceConnector {
  const reader: FileReader = config.sftp
    ? createSftpReader(config.path, config.sftp, deps.resolveSecret)
    : createLocalReader(config.path, options.openLocalFile);
  const retry = options.retry ?? DEFAULT_RETRY;

  const source: SourceConnector = {
    type: 'csv',
    // A resumed listing re-reads the file from its start and skips (see above): reading ahead is free.
    readAhead: true,
    checkpointRows: config.pageSize,
    // A row repeating an earlier row's id is rejected (firstOfId below).
    uniqueIds: true,
    async check(ctx?: SourceContext): Promise<void> {
      // Reading the header and the first page proves the file is there, readable and mapped right.
      for await (const _page of source.listEmployees(ctx)) break;
    },
    async *listEmployees(ctx?: SourceContext, resumeFrom?: string): AsyncIterable<EmployeePage> {
      const skip = parseCursor(resumeFrom);
      let mapRow: ReturnType<typeof createRowMapper> | undefined;
      const file = await openWithRetries(reader, retry, ctx?.signal);
      let header: string[] | undefined;
      const parser = new LineCountingParser({ delimiter: config.delimiter, skip_empty_lines: true }, (cells) => {
        header = checkHeader(cells, config);
        mapRow = createRowMapper(config, header);
      });
      try {
        // Any stage's error (a dropped connection, a bad byte, malformed CSV) destroys the others
        // and surfaces in the loop below; stopping the loop early destroys them all.
        pipeline(file.stream, createDecoder(config.encoding), parser, () => undefined);
        if (ctx?.signal) addAbortSignal(ctx.signal, parser);

        // The line of each id's first accepted row, by the id's hash (8 bytes, not a string, per
        // person). Skipped rows are mapped too, so a resumed listing rejects the same repeats.
        const idLines = new Hash64Set({ withValues: true });
        const idColumn = columnOf(config, 'sourceId');
        // Rows (records and rejections, as the build counts them) the build has gathered since it last
        // stored, counted by the build's own rule (activities/build.ts): a page ends where the build's
        // gathered page reaches pageSize, so each stored page holds pageSize rows (a row refused for
        // several fields may carry it a little past).
        let gathered = 0;
        const pageLimit = () => Math.min(HANDED_ROWS, config.pageSize - gathered);
        let limit = pageLimit();
        let consumed = 0;
        let records: Employee[] = [];
        let rejected: RowRejection[] = [];
        for await (const batch of parser as AsyncIterable<LinedRecord[]>) {
          for (const cells of batch) {
            // A row of empty cells (`,,,,`, what spreadsheets save for rows once edited) holds nobody.
            if (cells.every((cell) => cell === '')) continue;
            consumed += 1;
            const mapped = firstOfId(mapRow!(cells, cells.line), cells.line, idLines, idColumn);
            if (consumed <= skip) continue;
            if (mapped.ok) records.push(mapped.employee);
            else rejected.push(...mapped.rejections);
            if (records.length + rejected.length >= limit) {
              gathered += records.length + rejected.length;
              if (gathered >= config.pageSize) gathered = 0;
              yield { records, rejected, cursor: String(consumed) };
              records = [];
              rejected = [];
              limit = pageLimit();
            }
          }
        }
        if (records.length > 0 || rejected.length > 0) yield { records, rejected, cursor: String(consumed) };
        // A header-only file is an empty roster; a file without even a header is a broken export.
        if (header === undefined) {
          throw new RosterflowError('InvalidInput', 'csv source: the file is empty; the header row is required');
        }
      } catch (err) {
        throw toSourceError(err, reader, ctx?.signal, parser.linesParsed);
      } finally {
        // Also when the consumer stops early: the file handle and the SFTP session are released.
        await file.close();
      }
    },
  };
  return source;
}

function parseCursor(resumeFrom: string | undefined): number {
  if (resumeFrom === undefined) return 0;
  const skip = Number(resumeFrom);
  if (!Number.isSafeInteger(skip) || skip < 0) {
    throw new RosterflowError('InvalidInput', 'csv source: the resume cursor is not a record count');
  }
  return skip;
}

function checkHeader(header: string[], config: CsvDropConfig): string[] {
  const present = new Set(header.map((name) => name.trim()));
  const mapped = config.columns as Record<string, string | undefined>;
  const missing: string[] = [];
  for (const [field, column] of Object.entries(mapped)) {
    if (column !== undefined && !present.has(column)) missing.push(`"${column}" (source.columns.${field})`);
  }
  for (const field of REQUIRED_FIELDS) {
    const column = mapped[field] ?? field;
    if (mapped[field] === undefined && !present.has(column)) missing.push(`"${column}" (required for ${field})`);
  }
  for (const [name, column] of Object.entries(config.customFields)) {
    if (!present.has(column)) missing.push(`"${column}" (source.customFields.${name})`);
  }
  if (missing.length > 0) {
    throw new RosterflowError('InvalidInput', `csv source: the file header lacks the column(s) ${missing.join(', ')}`);
  }
  // A column the mapping reads must be there once: which copy is the right one cannot be told.
  const names = header.map((name) => name.trim());
  const read = new Set([
    ...EMPLOYEE_FIELDS.filter((field) => field !== 'rawStatus').map((field) => mapped[field] ?? field),
    ...Object.values(config.customFields),
  ]);
  const repeated = [...read].filter((column) => names.indexOf(column) !== names.lastIndexOf(column));
  if (repeated.length > 0) {
    const list = repeated.map((column) => `"${column}"`).join(', ');
    throw new RosterflowError('InvalidInput', `csv source: the file header has the column(s) ${list} more than once`);
  }
  return names;
}

/** Rejects a row whose id an earlier accepted row has: which of them is right cannot be told. */
function firstOfId(mapped: MappedRow, line: number, idLines: Hash64Set, idColumn: string): MappedRow {
  if (!mapped.ok) return mapped;
  const id = hash64(mapped.employee.sourceId);
  if (idLines.add(id, line)) return mapped;
  const first = idLines.get(id);
  return { ok: false, rejections: [{ row: `line ${line}`, field: idColumn, reason: `is already on line ${first}` }] };
}

function toSourceError(
  err: unknown,
  reader: FileReader,
  signal: AbortSignal | undefined,
  linesParsed: number,
): unknown {
  if (err instanceof RosterflowError) return err;
  // Cancellation stays an AbortError, as the HTTP layer leaves it.
  if (signal?.aborted) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('CSV_')) {
    // The line where the bad record starts (csv-parse's own is where parsing stopped, for an
    // unclosed quote the end of the file). The error's other fields hold cell values: dropped.
    const emptyLines = (err as { empty_lines?: unknown }).empty_lines;
    const where = typeof emptyLines === 'number' ? ` at line ${linesParsed + emptyLines + 1}` : '';
    return new RosterflowError('InvalidInput', `csv source: malformed CSV${where} (${code})`);
  }
  const why = typeof code === 'string' ? ` (${code})` : '';
  return new RosterflowError('SourceUnavailable', `csv source: reading ${reader.describe} failed${why}`, {
    cause: err,
  });
}
