import type { RunRecord, VendorRefusalSummary, VendorRefusedRow } from '../store/run-record';
import type { SyncRosterResult } from '../workflows/sync-roster';

/*
 * What the CLI says about a delivery's own report: the target's preview and result counts, and the
 * rows its vendor refused (a `partial` run). Positions, ids and codes only, never a row's values.
 */

const MAX_CODES_NAMED = 3;

/** "1 row rejected by Staffbase: CSV_DUPLICATE_EMAIL", "3 rows rejected by X: A (2), B (1)". */
export function refusalSentence(refused: VendorRefusalSummary): string {
  const rows = `${refused.count} row${refused.count === 1 ? '' : 's'} rejected by ${refused.vendor}`;
  const [only] = refused.codes;
  if (refused.codes.length === 1 && only && only.rows === refused.count) return `${rows}: ${only.code}`;
  const named = refused.codes.slice(0, MAX_CODES_NAMED).map(({ code, rows: count }) => `${code} (${count})`);
  const more = refused.codes.length > MAX_CODES_NAMED ? ', ...' : '';
  return named.length === 0 ? rows : `${rows}: ${named.join(', ')}${more}`;
}

/** The heading word of `rosterflow run`'s outcome. */
export function outcomeHeading(result: SyncRosterResult): string {
  return result.status === 'partial' ? 'PARTIAL' : 'SUCCEEDED';
}

/** The outcome line of a run whose target refused rows (none otherwise), pointing at where they are listed. */
export function refusalOutcomeLines(result: SyncRosterResult): string[] {
  const refused = result.delivered?.refused;
  if (!refused) return [];
  return [`  delivered, but ${refusalSentence(refused)} (the rows: ./bin/rosterflow history --run ${result.runId})`];
}

/** The STATUS cell of `rosterflow history`: a partial run says how many rows its target refused. */
export function historyStatusCell(run: RunRecord): string {
  const refused = run.counts.vendorRefused;
  return run.status === 'partial' && refused !== undefined ? `partial (${refused} refused)` : run.status;
}

/** `history --run` lines for the delivery's preview and result counts and the refused rows. */
export function deliveryDetailLines(run: RunRecord): string[] {
  const delivery = run.delivery;
  if (!delivery) return [];
  const counts = (label: string, reported: Record<string, number> | undefined) =>
    reported && Object.keys(reported).length > 0
      ? [
          `${label.padEnd(9)} ${Object.entries(reported)
            .map(([name, value]) => `${name}=${value}`)
            .join(' ')}`,
        ]
      : [];
  const lines = [...counts('preview', delivery.preview), ...counts('result', delivery.result)];
  const refused = delivery.refused;
  if (refused && refused.count > 0) {
    const more = refused.count - refused.rows.length;
    lines.push(`refused   ${refusalSentence(refused)}${more > 0 ? ` (first ${refused.rows.length} listed)` : ''}`);
    for (const row of refused.rows) lines.push(`  ${refusedRow(row)}`);
  }
  return lines;
}

/** "file line 2, id 1001: CSV_DUPLICATE_EMAIL": the line of the delivered file (header = line 1). */
function refusedRow(row: VendorRefusedRow): string {
  const where = [
    row.line === undefined ? undefined : `file line ${row.line}`,
    row.externalId && `id ${row.externalId}`,
  ];
  return `${where.filter(Boolean).join(', ') || 'a row'}: ${row.code ?? '(no code given)'}`;
}
