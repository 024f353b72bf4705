import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { LineCountingParser } from '../../connectors/csv-drop/line-counting-parser';
import type { LinedRecord } from '../../connectors/csv-drop/line-counting-parser';

interface Parsed {
  header: string[] | undefined;
  records: { cells: string[]; line: number }[];
}

/** The parser over `chunks` of text, as the decoder hands them on. */
async function parsed(chunks: string[], delimiter = ','): Promise<Parsed> {
  let header: string[] | undefined;
  const parser = new LineCountingParser({
    delimiter,
    maxRecordChars: 1000,
    onHeader: (cells) => (header = [...cells]),
  });
  const records: Parsed['records'] = [];
  const reading = (async () => {
    for await (const batch of parser as AsyncIterable<LinedRecord[]>) {
      for (const record of batch) records.push({ cells: [...record], line: record.line });
    }
  })();
  Readable.from(chunks, { objectMode: true }).pipe(parser);
  await reading;
  return { header, records };
}

const failureOf = (chunks: string[]) =>
  parsed(chunks).then(
    () => undefined,
    (error: unknown) => (error as Error).message,
  );

/** Every way to cut `text` in two, and the whole of it in pieces of a few sizes. */
function cuts(text: string): string[][] {
  const ways: string[][] = [[text]];
  for (let at = 1; at < text.length; at += 1) ways.push([text.slice(0, at), text.slice(at)]);
  for (const size of [1, 2, 3, 7]) {
    const pieces: string[] = [];
    for (let at = 0; at < text.length; at += size) pieces.push(text.slice(at, at + size));
    ways.push(pieces);
  }
  return ways;
}

// Quoted delimiters, escaped quotes, line breaks of every kind inside quotes, blank lines, a row of
// empty cells, spaces, and a last row without a line break.
const rows = [
  ['id', 'name', 'note'],
  ['1', 'Ada', 'plain'],
  ['2', 'Grace, Hopper', 'says "hi"'],
  ['3', 'Line', 'one\ntwo\r\nthree\rfour'],
  ['', '', ''],
  ['4', ' spaced ', ''],
  ['5', 'Last', 'end'],
];
const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);

describe('LineCountingParser', () => {
  for (const newline of ['\n', '\r\n', '\r']) {
    const lines = rows.map((cells) => cells.map(quote).join(','));
    // A blank line after the header and before the last row.
    const text = [lines[0], '', ...lines.slice(1, -1), '', lines.at(-1)].join(newline);

    it(`splits records the way csv-parse does, with the line each starts on, however the text is cut (${JSON.stringify(newline)})`, async () => {
      // csv-parse, read whole, as the reference for the cells.
      const reference: string[][] = parse(text, { skip_empty_lines: true, record_delimiter: newline });
      expect(reference).toEqual(rows);
      // Line 1 header, 2 blank, 3 and 4 one line each, 5 starts a record of four lines, 9 empty
      // cells, 10, 11 blank, 12.
      const expected = {
        header: rows[0],
        records: [3, 4, 5, 9, 10, 12].map((line, at) => ({ cells: rows[at + 1]!, line })),
      };
      for (const chunks of cuts(text)) {
        expect(await parsed(chunks), JSON.stringify(chunks)).toEqual(expected);
      }
    });
  }

  it('takes the delimiter it is given', async () => {
    expect(await parsed(['id;name\n1;"a;b"\n'], ';')).toEqual({
      header: ['id', 'name'],
      records: [{ cells: ['1', 'a;b'], line: 2 }],
    });
  });

  it('keeps a quote inside an unquoted cell, and drops spaces after a closing quote, as spreadsheets read them', async () => {
    expect(await parsed(['id,size,note\n1,5" screen,"ok"  \n'])).toEqual({
      header: ['id', 'size', 'note'],
      records: [{ cells: ['1', '5" screen', 'ok'], line: 2 }],
    });
  });

  it('finds the line ending past a quote inside an unquoted header cell, and counts lines by it', async () => {
    const text = 'id,Monitor 27",status\r\n1,a,Active\r\n2,b,Active\r\n';
    const expected = {
      header: ['id', 'Monitor 27"', 'status'],
      records: [
        { cells: ['1', 'a', 'Active'], line: 2 },
        { cells: ['2', 'b', 'Active'], line: 3 },
      ],
    };
    for (const chunks of cuts(text)) expect(await parsed(chunks), JSON.stringify(chunks)).toEqual(expected);
  });

  it('skips any white space after a closing quote, wherever the text is cut and at its very end', async () => {
    const text = 'id,name\n1,"a"\u00a0\t \n2,"b"  ';
    const expected = {
      header: ['id', 'name'],
      records: [
        { cells: ['1', 'a'], line: 2 },
        { cells: ['2', 'b'], line: 3 },
      ],
    };
    for (const chunks of cuts(text)) expect(await parsed(chunks), JSON.stringify(chunks)).toEqual(expected);
  });

  it('fails a malformed record at the line it starts on, however the text is cut', async () => {
    const unclosed = 'id,name\n1,ok\n2,"never closed\n3,more\n';
    const trailing = 'id,name\n1,"fine"\n2,"closed"then text\n3,more\n';
    const ragged = 'id,name\n1,ok\n\n2\n';
    for (const chunks of cuts(unclosed)) {
      expect(await failureOf(chunks)).toBe('csv source: malformed CSV at line 3: a quote is never closed');
    }
    for (const chunks of cuts(trailing)) {
      expect(await failureOf(chunks)).toBe(
        'csv source: malformed CSV at line 3: a quoted cell has text after its closing quote',
      );
    }
    for (const chunks of cuts(ragged)) {
      expect(await failureOf(chunks)).toBe(
        'csv source: malformed CSV at line 4: the row has 1 cells where the header has 2',
      );
    }
  });

  it('fails a record longer than its limit without waiting for the end of the text', async () => {
    const runaway = `id,name\n1,ok\n2,"open${'x'.repeat(2000)}`;
    // No end: the failure comes from the text read so far.
    const parser = new LineCountingParser({ delimiter: ',', maxRecordChars: 1000, onHeader: () => undefined });
    const failed = new Promise<string>((resolve) => parser.on('error', (error) => resolve(error.message)));
    parser.resume();
    for (let at = 0; at < runaway.length; at += 100) parser.write(runaway.slice(at, at + 100));
    expect(await failed).toBe(
      'csv source: malformed CSV at line 3: a record over 1,000 characters, most likely a quote never closed',
    );
  });
});
