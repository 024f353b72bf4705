import { once } from 'node:events';
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RosterflowError } from '../../core/errors';
import { stringify } from 'csv-stringify';
import type { ChangeEntry } from '../../report/compare';
import { REASON_WORDS, columnsText } from './words';

/** The whole report as CSV, one row per person, for a spreadsheet: streamed, whatever its size. */
export const REPORT_CSV_HEADERS = [
  'change',
  'source_id',
  'name',
  'email',
  'reason',
  'changed_columns',
  'changes',
] as const;

export interface ReportCsvRow {
  entry: ChangeEntry;
  /** Leading columns for lists of several runs (`holds --csv`): sync, workflow. */
  prefix?: readonly string[];
}

/** Writes rows to `file` (the headers first), returning how many people it wrote. */
export async function writeReportCsv(
  file: string,
  rows: AsyncIterable<ReportCsvRow>,
  prefixHeaders: readonly string[] = [],
): Promise<number> {
  const output = await openOutput(file);
  // Names and values from the HR system go to a spreadsheet: a leading = + - @ must not run as a formula.
  const csv = stringify({ header: true, columns: [...prefixHeaders, ...REPORT_CSV_HEADERS], escape_formulas: true });
  const written = pipeline(csv, output);
  // Awaited below; a failure meanwhile (a full disk) must not surface as an unhandled rejection.
  written.catch(() => undefined);
  let count = 0;
  try {
    for await (const { entry, prefix = [] } of rows) {
      const row = [
        ...prefix,
        entry.kind,
        entry.id,
        entry.name,
        entry.email,
        entry.reason ? REASON_WORDS[entry.reason] : '',
        (entry.columns ?? []).map(({ column }) => column).join('; '),
        columnsText(entry),
      ];
      if (!csv.write(row)) await once(csv, 'drain');
      count += 1;
    }
  } catch (err) {
    csv.destroy();
    throw err;
  }
  csv.end();
  await written;
  return count;
}

/** The CSV file, opened before anything is read, so a bad path is one sentence. */
async function openOutput(file: string): Promise<Writable> {
  try {
    return (await open(file, 'w')).createWriteStream();
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'an error';
    throw new RosterflowError('InvalidInput', `Cannot write the report to ${file} (${code})`);
  }
}
