/**
 * Spreadsheet programs execute cells that start with these characters as formulas
 * (OWASP "CSV Injection"); a leading apostrophe makes them plain text again.
 */
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);

export function neutralizeFormula(cell: string): string {
  const first = cell.charAt(0);
  return FORMULA_TRIGGERS.has(first) ? `'${cell}` : cell;
}
