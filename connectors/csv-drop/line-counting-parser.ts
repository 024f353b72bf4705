import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import Papa from 'papaparse';
import { RosterflowError } from '../../core/errors';

/** A record's cells and the line its row starts on. */
export type LinedRecord = string[] & { line: number };

export interface LineCountingParserOptions {
  delimiter: string;
  /** A record (or the text of one not yet ended) longer than this fails the file at its line. */
  maxRecordChars: number;
  /** Takes the header row (the first row that is not blank); what it throws fails the stream. */
  onHeader: (cells: string[]) => void;
}

/**
 * The file's text -> its records, split by PapaParse's parser (several times faster than csv-parse at
 * a million rows, quoted or not), in arrays of one per chunk of text (hundreds of rows) so a reader
 * awaits once per chunk, not once per row. What a roster needs on top:
 * - each record is stamped with the line its row starts on: a quoted cell's line breaks (CRLF, LF or
 *   CR) count one line each, and blank lines are skipped but counted;
 * - the first record goes to `onHeader` instead of out (checked there, before a malformed second row
 *   can fail the file first);
 * - the file fails, naming the line where the bad record starts, at a record whose cell count is not
 *   the header's, a quote never closed, text after a closing quote, or a record over
 *   `maxRecordChars` (most likely a quote never closed: the file is not read to its end for it).
 * Takes text (strings, as the decoder gives them), gives arrays of records.
 */
export class LineCountingParser extends Transform {
  /** Text after the last whole record: the start of one that the next chunk ends. */
  private pending = '';
  private parser: Papa.Parser | undefined;
  private newline: string | undefined;
  private columns: number | undefined;
  /** The line the next record starts on. */
  private line = 1;

  constructor(private readonly options: LineCountingParserOptions) {
    // Two arrays waiting (hundreds of rows each) keep the reader fed; more would only sit in memory,
    // and one chunk of text waiting is enough (what the file has read ahead, a crash reads again).
    super({ writableObjectMode: true, writableHighWaterMark: 1, readableObjectMode: true, readableHighWaterMark: 2 });
  }

  override _transform(text: string, _encoding: BufferEncoding, done: TransformCallback): void {
    this.guard(done, () => this.split(this.pending + text, false));
  }

  override _flush(done: TransformCallback): void {
    this.guard(done, () => this.split(this.pending, true));
  }

  private guard(done: TransformCallback, work: () => void): void {
    try {
      work();
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  /** Splits `text` into records; all of it when `final`, else up to the last record it surely ends. */
  private split(text: string, final: boolean): void {
    this.pending = '';
    const parser = this.parser ?? this.start(text, final);
    if (!parser) {
      this.keep(text);
      return;
    }
    // Text ending in white space may be cut between a closing quote and what must follow it (the LF
    // of a CRLF, the rest of the spaces PapaParse skips there): held back with the unfinished
    // record, else that quote would look malformed. At the end, a last record without a line break
    // gets one, so spaces after its closing quote are skipped as anywhere else.
    if (final && text !== '' && !text.endsWith(this.newline!)) text += this.newline!;
    let end = text.length;
    if (!final) while (end > 0 && WHITE_SPACE.test(text[end - 1]!)) end -= 1;
    const results = parser.parse(end === text.length ? text : text.slice(0, end), 0, !final) as Papa.ParseResult<
      string[]
    >;
    const rows = results.data;
    // A quoting error fails the file at the line its record starts on.
    const quoting = results.errors.reduce<Papa.ParseError | undefined>(
      (first, error) => (first === undefined || (error.row ?? 0) < (first.row ?? 0) ? error : first),
      undefined,
    );
    const whole = quoting ? Math.min(rows.length, quoting.row ?? 0) : rows.length;
    const mayBreak = cellsMayHaveBreaks(text, this.newline!);
    const batch: LinedRecord[] = [];
    let failure: RosterflowError | undefined;
    for (let at = 0; at < whole; at += 1) {
      const cells = rows[at]! as LinedRecord;
      const line = this.line;
      this.line += 1 + (mayBreak ? lineBreaks(cells) : 0);
      // A blank line holds no record (a row of empty cells, `,,,`, is one: the reader skips it).
      if (cells.length === 1 && cells[0] === '') continue;
      if (this.columns === undefined) {
        this.options.onHeader(cells);
        this.columns = cells.length;
        continue;
      }
      if (cells.length !== this.columns) {
        failure = malformed(line, `the row has ${cells.length} cells where the header has ${this.columns}`);
        break;
      }
      cells.line = line;
      batch.push(cells);
    }
    if (batch.length > 0) this.push(batch);
    if (failure) throw failure;
    if (quoting) {
      const why =
        quoting.code === 'MissingQuotes' ? 'a quote is never closed' : 'a quoted cell has text after its closing quote';
      throw malformed(this.line, why);
    }
    if (!final) this.keep(text.slice(results.meta.cursor));
  }

  /** The parser, once the text shows how its lines end (the first line break outside quotes). */
  private start(text: string, final: boolean): Papa.Parser | undefined {
    const newline = lineEnding(text, this.options.delimiter, final);
    if (newline === undefined) return undefined;
    this.newline = newline;
    this.parser = new Papa.Parser({ delimiter: this.options.delimiter, newline, quoteChar: '"', escapeChar: '"' });
    return this.parser;
  }

  private keep(rest: string): void {
    if (rest.length > this.options.maxRecordChars) {
      const limit = this.options.maxRecordChars.toLocaleString('en-US');
      throw malformed(this.line, `a record over ${limit} characters, most likely a quote never closed`);
    }
    this.pending = rest;
  }
}

/** What PapaParse's trim() skips after a closing quote: any white space or line break. */
const WHITE_SPACE = /\s/;

function malformed(line: number, why: string): RosterflowError {
  return new RosterflowError('InvalidInput', `csv source: malformed CSV at line ${line}: ${why}`);
}

/**
 * How the file's lines end: its first line break outside quotes (CRLF, LF or CR), where a quote opens
 * only at a cell's start, as PapaParse reads it (`27" screen` is text). Undefined while the text has
 * none yet (or ends where it cannot yet be told); a file of one line without a break has LF.
 */
function lineEnding(text: string, delimiter: string, final: boolean): '\r\n' | '\n' | '\r' | undefined {
  let quoted = false;
  let cellStart = true;
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at];
    if (quoted) {
      if (char !== '"') continue;
      if (at + 1 === text.length) return final ? '\n' : undefined;
      // A doubled quote is one quote of the cell's text; any other closes the cell.
      if (text[at + 1] === '"') at += 1;
      else quoted = false;
      continue;
    }
    if (char === '"' && cellStart) {
      quoted = true;
      continue;
    }
    if (char === '\n') return '\n';
    if (char === '\r') {
      if (at + 1 < text.length) return text[at + 1] === '\n' ? '\r\n' : '\r';
      return final ? '\r' : undefined;
    }
    cellStart = char === delimiter;
  }
  return final ? '\n' : undefined;
}

/**
 * Whether a cell of this text can hold a line break: a quoted one can; an unquoted one only a break
 * that is not the file's line ending (a lone CR in an LF file). Most chunks have neither: their rows
 * are one line each, and no cell is searched.
 */
function cellsMayHaveBreaks(text: string, newline: string): boolean {
  if (text.includes('"')) return true;
  if (newline === '\n') return text.includes('\r');
  if (newline === '\r') return text.includes('\n');
  return true;
}

/** Line breaks inside cells: CRLF, LF or CR each end one line. */
function lineBreaks(cells: readonly string[]): number {
  let count = 0;
  for (const cell of cells) if (cell.includes('\n') || cell.includes('\r')) count += cell.match(/\r\n|\r|\n/g)!.length;
  return count;
}
