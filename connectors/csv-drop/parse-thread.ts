import { Buffer } from 'node:buffer';
import { createReadStream, open, read } from 'node:fs';
import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { RosterflowError } from '../../core/errors';
import { createPageCodec } from './page-codec';
import { PAGES_AHEAD, ParseThreadInputSchema } from './parse-thread-messages';
import type { FromParseThread, ThreadFailure, ToParseThread } from './parse-thread-messages';
import { readRowPages } from './row-pages';

/**
 * A csv listing's parsing thread (started by threaded-row-pages.ts): decodes, parses, maps and checks
 * the rows on the worker's second core while the build renders and stores on its first.
 */

/** About 190 rows of a typical export: what the parser turns into one batch of records. */
const PIECE_BYTES = 16 * 1024;

const port = parentPort!;
const post = (message: FromParseThread) => port.postMessage(message);

const { settings, skip, fd } = ParseThreadInputSchema.parse(workerData);
const codec = createPageCodec(Object.keys(settings.customFields));
// A local file is read here, as fast as it is parsed (the listing's thread is busy rendering: bytes
// asked of it come late); over SFTP the listing is asked for bytes whenever the parser wants more.
// The descriptor stays the listing's to close.
const sent = fd === undefined ? new Readable({ read: () => post({ kind: 'want' }) }) : undefined;
const bytes: Readable =
  sent ??
  createReadStream('', {
    fd,
    autoClose: false,
    highWaterMark: PIECE_BYTES,
    // Never closed from here: a stream destroyed on a failure closes its descriptor even without
    // autoClose, and the listing closes the same number again, maybe by then another file's or socket's.
    fs: { open, read, close: (_fd: number, done: (err: NodeJS.ErrnoException | null) => void) => done(null) },
  });
let credits = PAGES_AHEAD;
let creditGiven: (() => void) | undefined;

port.on('message', (message: ToParseThread) => {
  switch (message.kind) {
    case 'bytes': {
      if (!sent) break;
      // In pieces, so the parser's batches (one per piece) stay small.
      const chunk = Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength);
      // Nothing pushed means nothing asked for: an empty chunk asks for the next one itself.
      if (chunk.length === 0) post({ kind: 'want' });
      for (let at = 0; at < chunk.length; at += PIECE_BYTES) sent.push(chunk.subarray(at, at + PIECE_BYTES));
      break;
    }
    case 'end':
      sent?.push(null);
      break;
    case 'taken':
      credits += 1;
      creditGiven?.();
      break;
  }
});

void (async () => {
  try {
    for await (const page of readRowPages(bytes, settings, skip)) {
      while (credits === 0) await new Promise<void>((resolve) => (creditGiven = resolve));
      credits -= 1;
      const { encoded, transfer } = codec.encode(page);
      port.postMessage({ kind: 'page', page: encoded } satisfies FromParseThread, transfer);
    }
    post({ kind: 'done' });
  } catch (err) {
    post({ kind: 'failed', error: describe(err) });
  }
})();

function describe(err: unknown): ThreadFailure {
  if (err instanceof RosterflowError) {
    return { rosterflow: true, type: err.type, message: err.message, retryable: err.retryable };
  }
  const { name, message, code } = (err ?? {}) as { name?: unknown; message?: unknown; code?: unknown };
  return {
    rosterflow: false,
    name: typeof name === 'string' ? name : 'Error',
    message: typeof message === 'string' ? message : String(err),
    code: typeof code === 'string' ? code : undefined,
  };
}
