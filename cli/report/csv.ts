import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
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
  const output = createWriteStream(file);
  const csv = stringify({ header: true, columns: [...prefixHeaders, ...REPORT_CSV_HEADERS] });
  csv.pipe(output);
  let written = 0;
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
    written += 1;
  }
  csv.end();
  await once(output, 'finish');
  return written;
}
