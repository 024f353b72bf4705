import { Readable } from 'node:stream';
import type { FileLike, FormDataEntryValue, FormDataLike } from 'form-data-encoder';

/**
 * Content sent from a stream, never held whole: `open` is called once per attempt (a consumed stream
 * cannot be sent again), and `bytes` is known up front so the request declares its Content-Length.
 */
export interface StreamSource {
  bytes: number;
  open(): AsyncIterable<Uint8Array>;
}

export interface StreamedFile extends StreamSource {
  fileName: string;
  /** The part's media type, e.g. `text/csv`. */
  type: string;
}

/** Bytes in memory as a `StreamSource` (tests, small bodies). */
export function bufferSource(content: Uint8Array): StreamSource {
  return { bytes: content.byteLength, open: () => Readable.from([content]) };
}

/**
 * A multipart/form-data body for got, which encodes any spec-shaped FormData with form-data-encoder:
 * fields and files in order, each file streamed from a fresh `open()` every time the body is encoded,
 * and a Content-Length computed from the parts' sizes.
 */
export class StreamedForm implements FormDataLike {
  readonly [Symbol.toStringTag] = 'FormData';
  private readonly parts: [string, FormDataEntryValue][] = [];

  /** Appends a text field (any other value is sent as its string). */
  append(name: string, value: unknown): void {
    this.parts.push([name, String(value)]);
  }

  /** Appends a file part; `source.open()` is called each time the body is encoded. */
  appendFile(name: string, fileName: string, source: StreamSource, type = 'text/csv'): void {
    this.parts.push([name, fileLike({ fileName, type, bytes: source.bytes, open: () => source.open() })]);
  }

  getAll(name: string): FormDataEntryValue[] {
    return this.parts.filter(([key]) => key === name).map(([, value]) => value);
  }

  entries(): IterableIterator<[string, FormDataEntryValue]> {
    return this.parts[Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<[string, FormDataEntryValue]> {
    return this.entries();
  }
}

function fileLike(file: StreamedFile): FileLike {
  return {
    name: file.fileName,
    type: file.type,
    size: file.bytes,
    lastModified: Date.now(),
    stream: () => exactly(file),
    [Symbol.toStringTag]: 'File',
  };
}

/**
 * form-data-encoder 4.1 re-slices a chunk over 64 KiB from the start of its ArrayBuffer, ignoring its
 * byteOffset: a view into a larger buffer (a GridFS chunk of 255 KiB is one) would be sent as the
 * wrong bytes. Chunks of at most this size are passed through as they are.
 */
const ENCODER_CHUNK_BYTES = 65_536;

/** The file's bytes, failing the request if it is not the size the Content-Length promised. */
async function* exactly(file: StreamedFile): AsyncGenerator<Uint8Array> {
  let sent = 0;
  for await (const chunk of file.open()) {
    sent += chunk.byteLength;
    if (sent > file.bytes) break;
    for (let at = 0; at < chunk.byteLength; at += ENCODER_CHUNK_BYTES) {
      yield chunk.subarray(at, at + ENCODER_CHUNK_BYTES);
    }
  }
  if (sent !== file.bytes) {
    throw new Error(`${file.fileName} is ${sent > file.bytes ? 'longer' : 'shorter'} than its ${file.bytes} bytes`);
  }
}
