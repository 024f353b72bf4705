/**
 * The two rules every target's cells go through, applied once by the page renderer
 * (targets/sdk/page-renderer.ts) so no target can forget them. See docs/targets.md.
 */

/** Line breaks (CR, LF and the other Unicode line terminators) and tabs. */
const BREAKS = '\\t\\n\\v\\f\\r\\u0085\\u2028\\u2029';
const EDGE_BREAKS = new RegExp(`^[${BREAKS}]+|[${BREAKS}]+$`, 'g');
const INNER_BREAKS = new RegExp(`[${BREAKS}]+`, 'g');
const ANY_BREAK = new RegExp(`[${BREAKS}]`);

/**
 * Every cell is one line: each run of line breaks and tabs becomes one space, and is dropped at the
 * start or end of the value. Receivers differ in what they make of a quoted line break (OneRoster
 * readers refuse the file, spreadsheets split the row), so no target is sent one.
 */
export function singleLine(cell: string): string {
  // Nearly every cell has none: one test, no new string.
  if (!ANY_BREAK.test(cell)) return cell;
  return cell.replace(EDGE_BREAKS, '').replace(INNER_BREAKS, ' ');
}

/**
 * Spreadsheet programs execute cells that start with these characters as formulas
 * (OWASP "CSV Injection"); a leading apostrophe makes them plain text again.
 */
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);

export function neutralizeFormula(cell: string): string {
  const first = cell.charAt(0);
  return FORMULA_TRIGGERS.has(first) ? `'${cell}` : cell;
}

/**
 * A cell as a target receives it: on one line, and formula-neutralised when the target escapes
 * formulas. Escaping is for files people open in a spreadsheet; a vendor import stores the `'` as data.
 */
export function targetCell(value: string, escapeFormulas: boolean): string {
  const text = singleLine(value);
  return escapeFormulas ? neutralizeFormula(text) : text;
}
