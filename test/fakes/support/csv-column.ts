import { parse } from 'csv-parse/sync';

/** The cells of one column of a CSV file with a header row, in row order: what a fake received. */
export function csvColumn(text: string, header: string, delimiter = ','): string[] {
  const [headers, ...rows] = parse(text, { delimiter });
  const at = headers?.indexOf(header) ?? -1;
  if (at < 0) throw new Error(`The file has no column "${header}" (its header: ${headers?.join(delimiter) ?? 'none'})`);
  return rows.map((row) => row[at] ?? '');
}
