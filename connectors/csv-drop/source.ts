import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import type { Info } from 'csv-parse';
import { RosterflowError } from '../../core/errors';
import type { Employee } from '../../core/employee';
import type { EmployeePage, RowRejection, SourceConnector, SourceContext } from '../sdk/source';
import type { CsvDropConfig } from './config';
import { createRowMapper } from './to-employee';

/** Headers every file must have, whether mapped explicitly or by their canonical name. */
const REQUIRED_FIELDS = ['sourceId', 'status'] as const;

/**
 * Reads a CSV drop in pages. The cursor is the number of data records already consumed, so a
 * resumed listing re-reads the file and skips to that record (files are small next to API pulls).
 */
export function createCsvDropSource(config: CsvDropConfig): SourceConnector {
  const source: SourceConnector = {
    type: 'csv',
    async check(ctx?: SourceContext): Promise<void> {
      // Reading the header and the first page proves the file is there, readable and mapped right.
      for await (const _page of source.listEmployees(ctx)) break;
    },
    async *listEmployees(_ctx?: SourceContext, resumeFrom?: string): AsyncIterable<EmployeePage> {
      const skip = parseCursor(resumeFrom);
      const mapRow = createRowMapper(config);
      const parser = parse({
        bom: true,
        delimiter: config.delimiter,
        columns: (header: string[]) => checkHeader(header, config),
        skip_empty_lines: true,
        info: true,
      });
      const file = createReadStream(config.path, { encoding: config.encoding === 'latin1' ? 'latin1' : 'utf8' });
      // pipe() does not forward a read error; hand it to the parser so the loop below throws it.
      file.on('error', (err) => parser.destroy(err));
      file.pipe(parser);

      let consumed = 0;
      let records: Employee[] = [];
      let rejected: RowRejection[] = [];
      try {
        for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: Info }>) {
          consumed += 1;
          if (consumed <= skip) continue;
          const mapped = mapRow(record, `line ${info.lines}`);
          if (mapped.ok) records.push(mapped.employee);
          else rejected.push(...mapped.rejections);
          if (records.length + rejected.length >= config.pageSize) {
            yield { records, rejected, cursor: String(consumed) };
            records = [];
            rejected = [];
          }
        }
      } catch (err) {
        throw toSourceError(err, config);
      }
      if (records.length > 0 || rejected.length > 0) yield { records, rejected, cursor: String(consumed) };
    },
  };
  return source;
}

function parseCursor(resumeFrom: string | undefined): number {
  if (resumeFrom === undefined) return 0;
  const skip = Number(resumeFrom);
  if (!Number.isSafeInteger(skip) || skip < 0) {
    throw new RosterflowError('InvalidInput', 'csv source: the resume cursor is not a record count');
  }
  return skip;
}

function checkHeader(header: string[], config: CsvDropConfig): string[] {
  const present = new Set(header.map((name) => name.trim()));
  const mapped = config.columns as Record<string, string | undefined>;
  const missing: string[] = [];
  for (const [field, column] of Object.entries(mapped)) {
    if (column !== undefined && !present.has(column)) missing.push(`"${column}" (source.columns.${field})`);
  }
  for (const field of REQUIRED_FIELDS) {
    const column = mapped[field] ?? field;
    if (mapped[field] === undefined && !present.has(column)) missing.push(`"${column}" (required for ${field})`);
  }
  for (const [name, column] of Object.entries(config.customFields)) {
    if (!present.has(column)) missing.push(`"${column}" (source.customFields.${name})`);
  }
  if (missing.length > 0) {
    throw new RosterflowError('InvalidInput', `csv source: the file header lacks the column(s) ${missing.join(', ')}`);
  }
  return header.map((name) => name.trim());
}

function toSourceError(err: unknown, config: CsvDropConfig): RosterflowError {
  if (err instanceof RosterflowError) return err;
  const code = (err as { code?: unknown }).code;
  if (code === 'ENOENT') return new RosterflowError('SourceUnavailable', `csv source: no file at ${config.path}`);
  if (code === 'EACCES') return new RosterflowError('SourceUnavailable', `csv source: cannot read ${config.path}`);
  if (typeof code === 'string' && code.startsWith('CSV_')) {
    // csv-parse messages quote the offending line's position, never its content.
    const lines = (err as { lines?: unknown }).lines;
    const where = typeof lines === 'number' ? ` at line ${lines}` : '';
    return new RosterflowError('InvalidInput', `csv source: malformed CSV${where} (${code})`);
  }
  return new RosterflowError('SourceUnavailable', `csv source: reading ${config.path} failed`, { cause: err });
}
