import type { DeactivationReason } from '../store/run-record';
import type { PersonRecord } from './person';

export const CHANGE_KINDS = ['added', 'changed', 'deactivated'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** One column of a changed person, as the target had it and as it will have it. */
export interface ColumnChange {
  column: string;
  before: string;
  after: string;
}

/** One person the run changes for the target (personal data: kept in MongoDB only). */
export interface ChangeEntry {
  kind: ChangeKind;
  id: string;
  name: string;
  email: string;
  /** Why a person delivered last time is deactivated now. */
  reason?: DeactivationReason;
  /** The columns that change (for `changed`, and for a leaver still in the files). */
  columns?: ColumnChange[];
}

/** What one person comes to: a change, the same as last time, or outside the target both times. */
export type Comparison = ChangeEntry | 'unchanged' | 'outside';

/**
 * How the columns of this run line up with those of the delivery it compares against: by name, so a
 * column added to the target's config reads as changed from empty, and one removed is not compared.
 */
export function columnMatcher(current: readonly string[], baseline: readonly string[]): (number | undefined)[] {
  const at = new Map(baseline.map((column, index) => [column, index]));
  return current.map((column) => at.get(column));
}

/**
 * One person: `previous` is how the last delivery had them (only people in its files), `current` what
 * this run makes of them (absent: gone from the source). What the target will receive decides:
 * - in the files now and not then: added;
 * - employed then, and now a leaver, left out, refused by a check or gone: deactivated, with why;
 * - in both: changed when a column differs, else unchanged.
 */
export function comparePerson(
  previous: PersonRecord | undefined,
  current: PersonRecord | undefined,
  columns: readonly string[],
  baselineIndex: readonly (number | undefined)[],
): Comparison {
  const who = current ?? previous;
  if (!who) return 'outside';
  const base = { id: who.id, name: who.name, email: who.email };
  if (!previous) return current?.state === 'delivered' ? { kind: 'added', ...base } : 'outside';
  if (!current) return previous.employed ? { kind: 'deactivated', ...base, reason: 'gone-from-source' } : 'outside';
  if (current.state !== 'delivered') {
    if (!previous.employed) return 'outside';
    const reason: DeactivationReason =
      current.state === 'refused' ? 'refused-by-check' : current.employed ? 'out-of-scope' : leaverReason(current);
    return { kind: 'deactivated', ...base, reason };
  }
  const changed = changedColumns(previous, current, columns, baselineIndex);
  if (previous.employed && !current.employed) {
    return {
      kind: 'deactivated',
      ...base,
      reason: leaverReason(current),
      ...(changed.length ? { columns: changed } : {}),
    };
  }
  return changed.length > 0 ? { kind: 'changed', ...base, columns: changed } : 'unchanged';
}

function leaverReason(person: PersonRecord): DeactivationReason {
  return person.left ? 'left' : 'inactive';
}

function changedColumns(
  previous: PersonRecord,
  current: PersonRecord,
  columns: readonly string[],
  baselineIndex: readonly (number | undefined)[],
): ColumnChange[] {
  const changes: ColumnChange[] = [];
  const after = current.cells ?? [];
  const before = previous.cells ?? [];
  for (let column = 0; column < columns.length; column += 1) {
    const was = baselineIndex[column] === undefined ? '' : (before[baselineIndex[column]!] ?? '');
    const now = after[column] ?? '';
    if (was !== now) changes.push({ column: columns[column]!, before: was, after: now });
  }
  return changes;
}
