import type { ChangeEntry, ChangeKind } from '../../report/compare';
import type { DeactivationReason } from '../../store/run-record';

/** Each reason as an HR admin reads it. */
export const REASON_WORDS: Record<DeactivationReason, string> = {
  left: 'left (inactive with a termination date)',
  inactive: 'inactive in the HR system',
  'gone-from-source': 'no longer in the HR data',
  'refused-by-check': "refused by the target's checks",
  'out-of-scope': "outside the target's scope",
};

export const KIND_TITLES: Record<ChangeKind, string> = {
  added: 'Added',
  changed: 'Changed',
  deactivated: 'Deactivated',
};

/** One person, as every list names them: name, email, and the source's id. */
export function personText(entry: Pick<ChangeEntry, 'id' | 'name' | 'email'>): string {
  const name = entry.name || '(no name)';
  return `${name}${entry.email ? ` <${entry.email}>` : ''}  id ${entry.id}`;
}

/** What changes for a person: the columns, each from its old to its new value. */
export function columnsText(entry: ChangeEntry): string {
  return (entry.columns ?? [])
    .map(({ column, before, after }) => `${column}: ${shown(before)} -> ${shown(after)}`)
    .join('; ');
}

const shown = (value: string) => (value === '' ? '(empty)' : JSON.stringify(value).slice(1, -1));

/** One line of a list: the person, then why (deactivated) or what (changed). */
export function entryLine(entry: ChangeEntry): string {
  const reason = entry.reason ? REASON_WORDS[entry.reason] : undefined;
  const columns = columnsText(entry);
  const detail = [reason, columns].filter(Boolean).join('; ');
  return `${personText(entry)}${detail ? `: ${detail}` : ''}`;
}
