import { extname, join } from 'node:path';
import { addAbortSignal } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { RosterflowError } from '../../core/errors';
import type { EmployeePage } from '../sdk/source';
import { createPageCodec } from './page-codec';
import type { EncodedPage } from './page-codec';
import type { FromParseThread, ParseThreadInput, ThreadFailure, ToParseThread } from './parse-thread-messages';
import type { OpenedFile } from './readers/reader';
import { readRowPages } from './row-pages';

/**
 * The parsing thread's own heap: it holds a few pages, the parser's buffers and what one batch of
 * rows makes. 16 MB of young generation lets almost all of that die young (8 MB measured a second
 * slower at a million rows); the old generation is only a guard.
 */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 256 };

/**
 * Parsing threads a worker runs at once. One keeps the second core busy; each more is an isolate of
 * its own (about 25 MB) for no more cores, so builds running beside it parse on the main thread.
 * The listing gives its thread back when it ends: consumers end it (`for await` does, also on break
 * or throw); one left hanging without `return()` would keep the thread.
 */
const MAX_PARSE_THREADS = 1;
let parseThreads = 0;

/** Parsing threads running now in this process (tests and diagnostics). */
export const parseThreadsRunning = (): number => parseThreads;

/**
 * readRowPages (row-pages.ts) on a thread of its own, when the worker has one free (else here): the
 * same pages, in the same order, with the same errors, while this thread goes on rendering and
 * storing the pages before. A local file the thread reads itself, through the descriptor opened
 * here; an SFTP file is read here (its session stays with the listing) and its bytes handed over as
 * the thread asks for them. A failure reading the file is thrown as it came; the thread's own
 * failures as they were thrown there. Stopping early (or `signal`) ends the thread and closes the file.
 */
export async function* readRowPagesInThread(
  file: Pick<OpenedFile, 'stream' | 'fd'>,
  input: Omit<ParseThreadInput, 'fd'>,
  signal?: AbortSignal,
): AsyncGenerator<EmployeePage> {
  signal?.throwIfAborted();
  if (parseThreads >= MAX_PARSE_THREADS) {
    // Cancelling destroys the file, which ends the parsing with an AbortError.
    if (signal) addAbortSignal(signal, file.stream);
    yield* readRowPages(file.stream, input.settings, input.skip);
    return;
  }
  parseThreads += 1;
  try {
    yield* onThread(file, input, signal);
  } finally {
    parseThreads -= 1;
  }
}

async function* onThread(
  file: Pick<OpenedFile, 'stream' | 'fd'>,
  input: Omit<ParseThreadInput, 'fd'>,
  signal?: AbortSignal,
): AsyncGenerator<EmployeePage> {
  const thread = startParseThread({ ...input, ...(file.fd === undefined ? {} : { fd: file.fd }) });
  const codec = createPageCodec(Object.keys(input.settings.customFields));
  const send = (message: ToParseThread, transfer: ArrayBuffer[] = []) => thread.postMessage(message, transfer);
  // Only for bytes sent from here: an iterator reads its stream, which must stay unread when the
  // thread reads the descriptor (both would move the same file position).
  let iterated: AsyncIterator<Buffer> | undefined;
  const chunks = () => (iterated ??= file.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>);
  // Kept encoded (compact) until the build takes them.
  const pages: EncodedPage[] = [];
  let finished = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const wakeUp = () => {
    wake?.();
    wake = undefined;
  };
  const fail = (error: unknown) => {
    failure ??= { error };
    wakeUp();
  };

  const feed = async () => {
    try {
      const next = await chunks().next();
      if (next.done) return send({ kind: 'end' });
      if (!(next.value instanceof Uint8Array)) throw new TypeError('the csv file stream gave text, not bytes');
      // A copy of exactly this chunk's bytes, whose buffer can move to the thread (a read stream's
      // chunk may share its buffer with others).
      const bytes = new Uint8Array(next.value);
      send({ kind: 'bytes', bytes }, [bytes.buffer]);
    } catch (err) {
      fail(err);
    }
  };
  thread.on('message', (message: FromParseThread) => {
    switch (message.kind) {
      case 'want':
        void feed();
        break;
      case 'page':
        pages.push(message.page);
        wakeUp();
        break;
      case 'done':
        finished = true;
        wakeUp();
        break;
      case 'failed':
        fail(fromThread(message.error));
        break;
    }
  });
  thread.on('error', fail);
  thread.on('messageerror', fail);
  thread.on('exit', (code) => {
    if (!finished) fail(new Error(`the csv parsing thread stopped early (exit code ${code})`));
  });
  const onAbort = () => fail(signal!.reason);
  signal?.addEventListener('abort', onAbort, { once: true });

  try {
    for (;;) {
      // Cancellation stops at once; the thread's own failure comes after the pages it sent before it.
      if (signal?.aborted) signal.throwIfAborted();
      const page = pages.shift();
      if (page) {
        send({ kind: 'taken' });
        yield codec.decode(page);
        continue;
      }
      if (failure) throw failure.error;
      if (finished) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    finished = true;
    signal?.removeEventListener('abort', onAbort);
    await thread.terminate();
    // At once, even with a read pending (a stalled SFTP server), whose end is not waited for.
    file.stream.destroy();
    void iterated?.return?.().catch(() => undefined);
  }
}

/** The thread, from the compiled module beside this one, or through tsx when running from sources. */
function startParseThread(input: ParseThreadInput): Worker {
  const options = { workerData: input, resourceLimits: THREAD_LIMITS };
  if (extname(__filename) !== '.ts') return new Worker(join(__dirname, 'parse-thread.js'), options);
  const entry = join(__dirname, 'parse-thread.ts');
  const script = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(entry)});`;
  return new Worker(script, { ...options, eval: true });
}

function fromThread(failure: ThreadFailure): Error {
  if (failure.rosterflow) return new RosterflowError(failure.type, failure.message, { retryable: failure.retryable });
  const error = new Error(failure.message) as Error & { code?: string };
  error.name = failure.name;
  if (failure.code !== undefined) error.code = failure.code;
  return error;
}
