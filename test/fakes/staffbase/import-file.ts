import { createReadStream, readFileSync } from 'node:fs';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';

/*
 * An uploaded import file, read from where the fake keeps it on disk: checked at upload as Staffbase
 * checks it (UTF-8, some data, the separator, CSV that parses), then read again row by row whenever
 * a preview or an import runs. No file is ever held in memory whole.
 */

export type ImportFileProblem = 'utf8' | 'noData' | 'separator' | 'invalidCsv';

const SEPARATORS = [',', ';', '\t', '|'];

/** The header and the number of data rows, or which documented upload error the file earns. */
export async function checkImportFile(
  path: string,
  separator: string,
): Promise<{ headers: string[]; recordCount: number } | { problem: ImportFileProblem }> {
  const text = await scanText(path);
  if (text === 'utf8') return { problem: 'utf8' };
  if (!text.hasData) return { problem: 'noData' };
  const otherSeparator = SEPARATORS.some((candidate) => candidate !== separator && text.headerLine.includes(candidate));
  if (!SEPARATORS.includes(separator) || (!text.headerLine.includes(separator) && otherSeparator)) {
    return { problem: 'separator' };
  }
  let headers: string[] | undefined;
  let recordCount = 0;
  try {
    for await (const record of records(path, separator)) {
      if (headers === undefined) headers = record;
      else recordCount += 1;
    }
  } catch {
    return { problem: 'invalidCsv' };
  }
  return { headers: headers ?? [], recordCount };
}

/** The data rows (the header skipped), parsed as they are read from disk. */
export async function* dataRecords(path: string, separator: string): AsyncGenerator<string[]> {
  let header = true;
  for await (const record of records(path, separator)) {
    if (!header) yield record;
    header = false;
  }
}

/** The data rows at once: for small files only (a test's assertions, an import applied within one step). */
export function readDataRecords(path: string, separator: string): string[][] {
  const rows: string[][] = parseSync(readFileSync(path), { ...PARSE_OPTIONS, delimiter: separator });
  return rows.slice(1);
}

const PARSE_OPTIONS = { bom: true, skip_empty_lines: true, relax_quotes: false } as const;

function records(path: string, separator: string): AsyncIterable<string[]> {
  return createReadStream(path).pipe(parse({ ...PARSE_OPTIONS, delimiter: separator }));
}

/** Whether the file is valid UTF-8, has anything but white space, and its first line (a BOM dropped). */
async function scanText(path: string): Promise<'utf8' | { hasData: boolean; headerLine: string }> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let hasData = false;
  let start = '';
  let headerDone = false;
  try {
    for await (const chunk of createReadStream(path)) {
      const text = decoder.decode(chunk as Buffer, { stream: true });
      hasData ||= /\S/.test(text);
      if (!headerDone) {
        start += text;
        headerDone = /\r?\n/.test(start);
      }
    }
    start += decoder.decode();
  } catch {
    return 'utf8';
  }
  return { hasData: hasData || /\S/.test(start), headerLine: start.split(/\r?\n/, 1)[0] ?? '' };
}
