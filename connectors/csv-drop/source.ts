import { RosterflowError } from '../../core/errors';
import type { EmployeePage, SourceConnector, SourceContext, SourceDeps } from '../sdk/source';
import type { CsvDropConfig } from './config';
import { createLocalReader } from './readers/local';
import type { OpenLocalFile } from './readers/local';
import { openWithRetries } from './readers/reader';
import type { FileReader, RetryPolicy } from './readers/reader';
import { createSftpReader } from './readers/sftp';
import type { CsvRowSettings } from './row-pages';
import { readRowPagesInThread } from './threaded-row-pages';

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
 * long as the file has not been replaced in between. The rows are parsed, mapped and checked on a
 * thread of their own when the worker has one free (threaded-row-pages.ts; row-pages.ts says how),
 * so a large file keeps both of the worker's cores busy.
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
  const { delimiter, encoding, columns, customFields, statusMap, pageSize } = config;
  const rowSettings: CsvRowSettings = { delimiter, encoding, columns, customFields, statusMap, pageSize };

  const source: SourceConnector = {
    type: 'csv',
    // A resumed listing re-reads the file from its start and skips (see above): reading ahead is free.
    readAhead: true,
    checkpointRows: config.pageSize,
    // A row repeating an earlier row's id is rejected (row-pages.ts).
    uniqueIds: true,
    async check(ctx?: SourceContext): Promise<void> {
      // Reading the header and the first page proves the file is there, readable and mapped right.
      for await (const _page of source.listEmployees(ctx)) break;
    },
    async *listEmployees(ctx?: SourceContext, resumeFrom?: string): AsyncIterable<EmployeePage> {
      const skip = parseCursor(resumeFrom);
      const file = await openWithRetries(reader, retry, ctx?.signal);
      try {
        yield* readRowPagesInThread(file, { settings: rowSettings, skip }, ctx?.signal);
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

/** A failure reading the file, as one sentence naming it; the row reader's own errors are already sentences. */
function toSourceError(err: unknown, reader: FileReader, signal: AbortSignal | undefined): unknown {
  if (err instanceof RosterflowError) return err;
  // Cancellation stays an AbortError, as the HTTP layer leaves it.
  if (signal?.aborted) return err;
  const code = (err as { code?: unknown }).code;
  const why = typeof code === 'string' ? ` (${code})` : '';
  return new RosterflowError('SourceUnavailable', `csv source: reading ${reader.describe} failed${why}`, {
    cause: err,
  });
}
