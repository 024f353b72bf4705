import { addAbortSignal, pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import type { Info } from 'csv-parse';
import { RosterflowError } from '../../core/errors';
import type { Employee } from '../../core/employee';
import type { EmployeePage, RowRejection, SourceConnector, SourceContext, SourceDeps } from '../sdk/source';
import type { CsvDropConfig } from './config';
import { createDecoder } from './decode';
import { createRowMapper } from './mappers/to-employee';
import { createLocalReader } from './readers/local';
import type { OpenLocalFile } from './readers/local';
import { openWithRetries } from './readers/reader';
import type { FileReader, RetryPolicy } from './readers/reader';
import { createSftpReader } from './readers/sftp';

/** Headers every file must have, whether mapped explicitly or by their canonical name. */
const REQUIRED_FIELDS = ['sourceId', 'status'] as const;

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
 * long as the file has not been replaced in between.
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
    async check(ctx?: SourceContext): Promise<void> {
      // Reading the header and the first page proves the file is there, readable and mapped right.
      for await (const _page of source.listEmployees(ctx)) break;
    },
    async *listEmployees(ctx?: SourceContext, resumeFrom?: string): AsyncIterable<EmployeePage> {
      const skip = parseCursor(resumeFrom);
      const mapRow = createRowMapper(config);
      const file = await openWithRetries(reader, retry, ctx?.signal);
      try {
        const parser = parse({
          delimiter: config.delimiter,
          columns: (header: string[]) => checkHeader(header, config),
          skip_empty_lines: true,
          info: true,
        });
        // Any stage's error (a dropped connection, a bad byte, malformed CSV) destroys the others
        // and surfaces in the loop below; stopping the loop early destroys them all.
        pipeline(file.stream, createDecoder(config.encoding), parser, () => undefined);
        if (ctx?.signal) addAbortSignal(ctx.signal, parser);

        let consumed = 0;
        let records: Employee[] = [];
        let rejected: RowRejection[] = [];
        for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: Info }>) {
          consumed += 1;
          if (consumed <= skip) continue;
          const mapped = mapRow(record, `line ${info.lines}`);
          if (mapped.ok) records.push(mapped.employee);
          else rejected.push(...mapped.rejections);
          if (records.length + rejected.length >= config.pageSize) {
            yield { records, rejected, cursor: String(consumed) };
            records = [];
            rejected = [];
          }
        }
        if (records.length > 0 || rejected.length > 0) yield { records, rejected, cursor: String(consumed) };
      } catch (err) {
        throw toSourceError(err, reader, ctx?.signal);
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
  return header.map((name) => name.trim());
}

function toSourceError(err: unknown, reader: FileReader, signal: AbortSignal | undefined): unknown {
  if (err instanceof RosterflowError) return err;
  // Cancellation stays an AbortError, as the HTTP layer leaves it.
  if (signal?.aborted) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('CSV_')) {
    // csv-parse messages quote the offending line's position, never its content.
    const lines = (err as { lines?: unknown }).lines;
    const where = typeof lines === 'number' ? ` at line ${lines}` : '';
    return new RosterflowError('InvalidInput', `csv source: malformed CSV${where} (${code})`);
  }
  const why = typeof code === 'string' ? ` (${code})` : '';
  return new RosterflowError('SourceUnavailable', `csv source: reading ${reader.describe} failed${why}`, {
    cause: err,
  });
}
