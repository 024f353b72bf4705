import type { TransformCallback } from 'node:stream';
import { Parser } from 'csv-parse';
import type { Options } from 'csv-parse';

/** A record's cells and the line its row starts on. */
export type LinedRecord = string[] & { line: number };

/**
 * csv-parse's stream parser, with three changes for a million-row file:
 * - each record is stamped with the line its row starts on. csv-parse's own count is the line a
 *   record ends on, and counts a CRLF inside a quoted cell twice, so lines are counted here from the
 *   cells, as the parser pushes each record (inside its parse, before any consumer reads it), so the
 *   count also covers records parsed ahead of a malformed one. This is what `on_record` would do,
 *   without the info object it builds for every record;
 * - the first record goes to `onHeader` instead of out (checked there, before a malformed second row
 *   can fail the file first);
 * - records come out in arrays, one per chunk of input (hundreds of rows), not one by one: a reader
 *   awaits once per chunk, not once per row.
 */
export class LineCountingParser extends Parser {
  /** Lines taken by the records parsed so far, header included; blank lines the parser skipped are not. */
  linesParsed = 0;
  private header = false;
  private batch: LinedRecord[] = [];

  constructor(
    options: Options,
    /** Takes the header row; what it throws fails the stream. */
    private readonly onHeader: (cells: string[]) => void,
  ) {
    // Two arrays waiting (hundreds of rows each) keep the reader fed; more would only sit in memory
    // long enough to outlive the young generation. (A stream option: csv-parse passes it to Transform.)
    super({ readableHighWaterMark: 2, ...options } as Options);
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    super._transform(chunk, encoding, (err?: Error | null) => {
      if (!err) this.release();
      callback(err);
    });
  }

  override _flush(callback: TransformCallback): void {
    super._flush((err?: Error | null) => {
      if (!err) this.release();
      callback(err);
    });
  }

  override push(record: unknown, encoding?: BufferEncoding): boolean {
    // Records parsed after a failed header (the rest of its chunk) go nowhere.
    if (this.destroyed) return false;
    if (record === null) {
      this.release();
      return super.push(null, encoding);
    }
    if (!Array.isArray(record)) return super.push(record, encoding);
    const cells = record as LinedRecord;
    // `empty_lines` is the parser's live count of the blank lines it skipped so far.
    cells.line = this.linesParsed + this.info.empty_lines + 1;
    this.linesParsed += 1 + lineBreaks(cells);
    if (this.header) {
      this.batch.push(cells);
      return true;
    }
    this.header = true;
    try {
      this.onHeader(cells);
    } catch (err) {
      this.destroy(err as Error);
      return false;
    }
    return true;
  }

  /** Hands the records parsed so far on, as one array. */
  private release(): void {
    if (this.batch.length === 0 || this.destroyed) return;
    const batch = this.batch;
    this.batch = [];
    super.push(batch);
  }
}

/** Line breaks inside quoted cells: CRLF, LF or CR each end one line. */
function lineBreaks(cells: readonly string[]): number {
  let count = 0;
  for (const cell of cells) if (/[\r\n]/.test(cell)) count += cell.match(/\r\n|\r|\n/g)!.length;
  return count;
}
