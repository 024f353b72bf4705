import { z } from 'zod';
import type { RosterflowErrorType } from '../../core/errors';
import type { EncodedPage } from './page-codec';
import { CsvRowSettingsSchema } from './row-pages';

/**
 * The messages between a csv listing and its parsing thread, declared once for both sides
 * (threaded-row-pages.ts, parse-thread.ts). Bytes go to the thread as the listing reads them; pages
 * come back at most PAGES_AHEAD ahead of what the build has taken, so a slow build holds the thread
 * back (and the thread, by not asking, holds back the reading).
 */

/**
 * Pages the thread may hand over before the build takes one: 1,000 rows. Enough to keep both busy
 * (more measured no faster), and little for a crash to read again.
 */
export const PAGES_AHEAD = 4;

/** The thread's `workerData`: checked at the boundary, like any input. */
export const ParseThreadInputSchema = z.object({
  settings: CsvRowSettingsSchema,
  /** Records to skip: the resumed listing's cursor. */
  skip: z.int().min(0),
  /** A local file's descriptor, which the thread reads itself; without one, bytes come as messages. */
  fd: z.int().min(0).optional(),
});
export type ParseThreadInput = z.infer<typeof ParseThreadInputSchema>;

/** To the thread. */
export type ToParseThread =
  /** The file's next bytes (their buffer is transferred, not copied). */
  | { kind: 'bytes'; bytes: Uint8Array }
  /** The file has no more bytes. */
  | { kind: 'end' }
  /** The build took a page: one more may come. */
  | { kind: 'taken' };

/** From the thread. */
export type FromParseThread =
  /** Ready for the next bytes. */
  | { kind: 'want' }
  | { kind: 'page'; page: EncodedPage }
  /** The last page has been sent. */
  | { kind: 'done' }
  | { kind: 'failed'; error: ThreadFailure };

/**
 * A failure crossing the thread boundary, where classes do not: a RosterflowError keeps its type and
 * sentence (which never hold values); anything else, its name and message, as it would have surfaced.
 */
export type ThreadFailure =
  | { rosterflow: true; type: RosterflowErrorType; message: string; retryable: boolean }
  | { rosterflow: false; name: string; message: string; code: string | undefined };
