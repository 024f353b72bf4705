import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { RosterflowError } from '../../../core/errors';

/** An opened drop: its bytes as a stream, and how to let go of it. */
export interface OpenedFile {
  /** The file's bytes, read as they are consumed (never loaded whole). */
  stream: Readable;
  /**
   * A local file's descriptor: a parsing thread of this process reads it itself (then `stream` is
   * left unread), instead of waiting on this thread for each chunk. Absent for SFTP.
   */
  fd?: number;
  /** Releases the file and, for SFTP, the connection. Safe to call more than once. */
  close(): Promise<void>;
}

/** Where a drop is read from: the local file system or an SFTP server. */
export interface FileReader {
  /** The file in messages: its path, and for SFTP the server and user; never a secret. */
  readonly describe: string;
  /** One attempt at opening the file; a failure worth retrying soon is a `TransientOpenError`. */
  open(signal?: AbortSignal): Promise<OpenedFile>;
}

/** A failure a moment's wait may cure: a refused or dropped connection, a file locked by its writer. */
export class TransientOpenError extends Error {
  /** `problem` completes "csv source: ...", e.g. `cannot reach the SFTP server h:22 (ECONNRESET)`. */
  constructor(
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(problem, options);
    this.name = 'TransientOpenError';
  }
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The wait before the second attempt; it doubles after each further failure. */
  backoffMs: number;
}

/**
 * Opens the file, retrying transient failures a bounded number of times with a short backoff;
 * when they persist the listing fails with a retryable `SourceUnavailable` for the activity's own
 * retry policy. Every other failure (credentials, a missing file) is thrown at once.
 */
export async function openWithRetries(reader: FileReader, policy: RetryPolicy, signal?: AbortSignal) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await reader.open(signal);
    } catch (err) {
      if (!(err instanceof TransientOpenError)) throw err;
      if (attempt >= policy.attempts) {
        const tries = attempt === 1 ? '' : ` after ${attempt} attempts`;
        throw new RosterflowError('SourceUnavailable', `csv source: ${err.problem}${tries}`, { cause: err.cause });
      }
      await sleep(policy.backoffMs * 2 ** (attempt - 1), undefined, signal ? { signal } : {});
    }
  }
}
