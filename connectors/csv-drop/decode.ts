import { Buffer, isUtf8 } from 'node:buffer';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import iconv from 'iconv-lite';
import { RosterflowError } from '../../core/errors';
import type { CsvEncoding } from './config';

/** Byte-order marks, longest first so UTF-8's three bytes are not mistaken for anything shorter. */
const BYTE_ORDER_MARKS: readonly { encoding: CsvEncoding; label: string; bytes: Buffer }[] = [
  { encoding: 'utf-8', label: 'UTF-8', bytes: Buffer.from([0xef, 0xbb, 0xbf]) },
  { encoding: 'utf-16le', label: 'UTF-16LE', bytes: Buffer.from([0xff, 0xfe]) },
  { encoding: 'utf-16be', label: 'UTF-16BE', bytes: Buffer.from([0xfe, 0xff]) },
];
const LONGEST_BOM = 3;

/** Enough of a line to say where a bad byte is; a file without line breaks loses the line number only. */
const MAX_TRACKED_LINE_BYTES = 1024 * 1024;

/** Turns chunks of bytes into text, throwing a clear `InvalidInput` at the first byte the encoding does not allow. */
interface ChunkDecoder {
  write(bytes: Buffer): string;
  end(): string;
}

/**
 * A stream from the file's bytes to its text. A byte-order mark of the declared encoding is
 * skipped; a mark of another encoding fails the file (the config names the wrong encoding), and so
 * does any byte sequence the encoding does not allow: never replacement characters in the roster.
 */
export function createDecoder(encoding: CsvEncoding): Transform {
  const decoder = decoderFor(encoding);
  // The first bytes are held until the byte-order mark can be told apart.
  let head: Buffer | undefined = Buffer.alloc(0);

  const decode = (bytes: Buffer): string => {
    if (head === undefined) return decoder.write(bytes);
    head = Buffer.concat([head, bytes]);
    if (head.length < LONGEST_BOM) return '';
    const first = head;
    head = undefined;
    checkStart(first, encoding);
    return decoder.write(first);
  };

  // Text out as strings (object mode: a byte-mode stream would encode each one back to bytes), one
  // chunk waiting at most (object mode's default of 16 would read about 256 KiB ahead of the parser).
  return new Transform({
    readableObjectMode: true,
    readableHighWaterMark: 1,
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      try {
        const text = decode(chunk);
        done(null, text === '' ? undefined : text);
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        let text = '';
        if (head !== undefined && head.length > 0) {
          checkStart(head, encoding);
          text = decoder.write(head);
        }
        text += decoder.end();
        done(null, text === '' ? undefined : text);
      } catch (err) {
        done(err as Error);
      }
    },
  });
}

function decoderFor(encoding: CsvEncoding): ChunkDecoder {
  switch (encoding) {
    case 'utf-8':
      return strictUtf8();
    case 'utf-16le':
    case 'utf-16be':
      return utf16(encoding);
    case 'windows-1252':
      return singleByte(encoding, 'Windows-1252');
    case 'latin1':
      return singleByte(encoding, 'Latin-1');
  }
}

/** A byte-order mark that contradicts the config, or NUL bytes of UTF-16 text read as single bytes. */
function checkStart(first: Buffer, encoding: CsvEncoding): void {
  const mark = BYTE_ORDER_MARKS.find((candidate) => first.subarray(0, candidate.bytes.length).equals(candidate.bytes));
  if (mark && mark.encoding !== encoding) {
    throw new RosterflowError(
      'InvalidInput',
      `csv source: the file starts with a ${mark.label} byte-order mark but source.encoding is ${encoding}; set it to ${mark.encoding}`,
    );
  }
  if (!encoding.startsWith('utf-16') && first.subarray(0, 64 * 1024).includes(0)) {
    throw new RosterflowError(
      'InvalidInput',
      `csv source: the file contains NUL bytes, as UTF-16 text does, but source.encoding is ${encoding}; set it to utf-16le or utf-16be`,
    );
  }
}

function invalid(encodingLabel: string, line: number | undefined, why: string): RosterflowError {
  const where = line === undefined ? '' : ` at line ${line}`;
  return new RosterflowError(
    'InvalidInput',
    `csv source: the file is not valid ${encodingLabel}${where} (${why}); check source.encoding`,
  );
}

/**
 * UTF-8 through the platform's WHATWG decoder in fatal mode, which iconv-lite has no equivalent of:
 * an invalid sequence throws instead of becoming U+FFFD. The bytes of the current line are kept so
 * the error can name the line (a 0x0A byte is always a line feed in UTF-8, never part of a character).
 */
function strictUtf8(): ChunkDecoder {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  /** The line number where `lineSoFar` starts, and that line's bytes up to the current chunk. */
  let lineNumber = 1;
  let lineSoFar: Buffer | undefined = Buffer.alloc(0);

  return {
    write(bytes) {
      let text: string;
      try {
        text = decoder.decode(bytes, { stream: true });
      } catch {
        const line = lineSoFar === undefined ? undefined : invalidLine(Buffer.concat([lineSoFar, bytes]), lineNumber);
        throw invalid('UTF-8', line, 'an invalid byte sequence');
      }
      const lastBreak = bytes.lastIndexOf(0x0a);
      if (lastBreak === -1) {
        lineSoFar =
          lineSoFar && lineSoFar.length + bytes.length <= MAX_TRACKED_LINE_BYTES
            ? Buffer.concat([lineSoFar, bytes])
            : undefined;
      } else {
        lineNumber += countByte(bytes, 0x0a);
        lineSoFar = Buffer.from(bytes.subarray(lastBreak + 1));
      }
      return text;
    },
    end() {
      try {
        return decoder.decode();
      } catch {
        throw invalid('UTF-8', lineNumber, 'it ends in the middle of a character');
      }
    },
  };
}

/** The number of the first line in `bytes` (which starts at a line start) that is not valid UTF-8. */
function invalidLine(bytes: Buffer, firstLine: number): number {
  let start = 0;
  let line = firstLine;
  for (let end = bytes.indexOf(0x0a); end !== -1; end = bytes.indexOf(0x0a, start)) {
    if (!isUtf8(bytes.subarray(start, end))) return line;
    start = end + 1;
    line += 1;
  }
  // Every complete line was valid, so the bad sequence is in the unfinished last one.
  return line;
}

function countByte(bytes: Buffer, byte: number): number {
  let count = 0;
  for (let index = bytes.indexOf(byte); index !== -1; index = bytes.indexOf(byte, index + 1)) count += 1;
  return count;
}

function countLineFeeds(text: string, end = text.length): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < end; index = text.indexOf('\n', index + 1)) count += 1;
  return count;
}

/** A surrogate without its partner: what unpaired 16-bit units in a UTF-16 file decode to. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * UTF-16 through iconv-lite (which skips a matching byte-order mark). iconv-lite passes unpaired
 * surrogates through and drops a trailing odd byte; both are caught here.
 */
function utf16(encoding: 'utf-16le' | 'utf-16be'): ChunkDecoder {
  const label = encoding === 'utf-16le' ? 'UTF-16LE' : 'UTF-16BE';
  const decoder = iconv.getDecoder(encoding);
  let totalBytes = 0;
  let lineNumber = 1;
  // A high surrogate at the end of one chunk may be completed by the next.
  let pendingHigh = '';

  const checked = (text: string, final: boolean): string => {
    let complete = pendingHigh + text;
    pendingHigh = '';
    const last = complete.charCodeAt(complete.length - 1);
    if (!final && last >= 0xd800 && last <= 0xdbff) {
      pendingHigh = complete.slice(-1);
      complete = complete.slice(0, -1);
    }
    const bad = complete.search(LONE_SURROGATE);
    if (bad !== -1) throw invalid(label, lineNumber + countLineFeeds(complete, bad), 'an unpaired surrogate');
    lineNumber += countLineFeeds(complete);
    return complete;
  };

  return {
    write(bytes) {
      totalBytes += bytes.length;
      return checked(decoder.write(bytes), false);
    },
    end() {
      if (totalBytes % 2 !== 0) throw invalid(label, lineNumber, 'it ends in the middle of a character');
      return checked(decoder.end() ?? '', true);
    },
  };
}

/**
 * Windows-1252 and Latin-1 through iconv-lite. Latin-1 maps every byte; Windows-1252 leaves five
 * undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D), which iconv-lite turns into U+FFFD: those fail the file.
 */
function singleByte(encoding: 'windows-1252' | 'latin1', label: string): ChunkDecoder {
  const decoder = iconv.getDecoder(encoding);
  let lineNumber = 1;
  const checked = (text: string): string => {
    const bad = text.indexOf('\uFFFD');
    if (bad !== -1) throw invalid(label, lineNumber + countLineFeeds(text, bad), 'a byte the encoding does not define');
    lineNumber += countLineFeeds(text);
    return text;
  };
  return {
    write: (bytes) => checked(decoder.write(bytes)),
    end: () => checked(decoder.end() ?? ''),
  };
}
