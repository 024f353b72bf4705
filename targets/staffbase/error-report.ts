import { parse } from 'csv-parse/sync';
import type { VendorRefusals, VendorRefusedRow } from '../../store/run-record';
import { STAFFBASE_VENDOR } from './client';

/*
 * Staffbase's error report ([P] GET /api/users/imports/{importId}/errors): a CSV, one line per row
 * (or property) it skipped, empty when none. [?] Its columns are not public, so they are found by
 * header name, and whatever is not found is simply unknown. Only the line, the identifier and a code
 * are read; a message can quote the refused value and is never kept.
 */

const normalise = (header: string) => header.toLowerCase().replace(/[^a-z]/g, '');
const LINE_HEADERS = new Set(['line', 'row', 'linenumber', 'rownumber', 'lineno']);
const ID_HEADERS = new Set(['externalid', 'identifier', 'userexternalid']);
const CODE_HEADERS = new Set(['code', 'errorcode', 'warningcode']);
/** A vendor code such as CSV_DUPLICATE_EMAIL; anything else (a sentence, a value) is not kept. */
const CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
const ID_MAX_LENGTH = 200;

/** The refused rows of a report (all of them: the run store keeps the first ones). */
export function parseStaffbaseErrorReport(report: string): VendorRefusals {
  const text = report.replace(/^\uFEFF/, '');
  let records: string[][];
  try {
    records = parse(text, { delimiter: [',', ';', '\t'], skip_empty_lines: true, relax_column_count: true });
  } catch {
    // Not CSV after all: count its lines, name nothing.
    const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '').length;
    return { vendor: STAFFBASE_VENDOR, count: Math.max(0, lines - 1), codes: [], rows: [] };
  }
  const [headers = [], ...data] = records;
  const column = (names: Set<string>) => headers.findIndex((header) => names.has(normalise(header)));
  const [lineAt, idAt, codeAt] = [column(LINE_HEADERS), column(ID_HEADERS), column(CODE_HEADERS)];
  const rows = data.map((record): VendorRefusedRow => {
    const line = Number(record[lineAt]?.trim());
    const externalId = record[idAt]?.trim() ?? '';
    const code = record[codeAt]?.trim() ?? '';
    return {
      ...(Number.isInteger(line) && line > 0 ? { line } : {}),
      ...(externalId !== '' && externalId.length <= ID_MAX_LENGTH ? { externalId } : {}),
      ...(CODE.test(code) ? { code } : {}),
    };
  });
  return { vendor: STAFFBASE_VENDOR, count: rows.length, codes: countCodes(rows), rows };
}

function countCodes(rows: readonly VendorRefusedRow[]): { code: string; rows: number }[] {
  const counts = new Map<string, number>();
  for (const { code } of rows) if (code !== undefined) counts.set(code, (counts.get(code) ?? 0) + 1);
  return [...counts].map(([code, count]) => ({ code, rows: count })).sort((a, b) => b.rows - a.rows);
}
