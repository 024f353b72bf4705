import type { EmploymentStatus } from '../../../core/employee';
import { mapStatus } from '../../sdk/mapping';

/**
 * What a status column may hold: Workday's `Active` boolean as "1"/"0" or "true"/"false", or a word
 * from a calculated field. Keys are lower-case; `statusMap` adds to and overrides these.
 */
export const WORKDAY_STATUS_WORDS: Readonly<Record<string, EmploymentStatus>> = {
  '1': 'active',
  true: 'active',
  yes: 'active',
  active: 'active',
  employed: 'active',
  '0': 'inactive',
  false: 'inactive',
  no: 'inactive',
  inactive: 'inactive',
  terminated: 'inactive',
  'on leave': 'leave',
  leave: 'leave',
  'leave of absence': 'leave',
  'pre-hire': 'pending',
  prehire: 'pending',
  pending: 'pending',
};

const YES = new Set(['1', 'true', 'yes', 'y']);
const NO = new Set(['0', 'false', 'no', 'n']);

export interface StatusFacts {
  /** The status column as text, or undefined when the entry has none. */
  raw: string | undefined;
  /** The "on leave" column as text, when one is configured and present. */
  onLeave: string | undefined;
  hireDate: string | undefined;
  terminationDate: string | undefined;
  /** The run's date, `YYYY-MM-DD`. */
  today: string;
}

export type StatusOutcome =
  { ok: true; status: EmploymentStatus | undefined } | { ok: false; field: 'status'; reason: string };

/**
 * The canonical status from what a report row says. The word decides first, and an unknown word is
 * an error, never a guess. Then the dates: a termination date that has passed (the person's last
 * day is behind them, and no rehire followed) makes the person inactive; an active person whose hire date is still ahead is pending
 * (Workday marks future hires active); an active person on leave is on leave. ISO dates compare as text.
 */
export function deriveStatus(facts: StatusFacts, words: Readonly<Record<string, EmploymentStatus>>): StatusOutcome {
  if (facts.raw === undefined) return { ok: true, status: undefined };
  const stated = mapStatus(facts.raw, words);
  if (stated === undefined)
    return { ok: false, field: 'status', reason: 'is not a known status word (add it to statusMap)' };

  const onLeave = facts.onLeave?.toLowerCase();
  if (onLeave !== undefined && !YES.has(onLeave) && !NO.has(onLeave))
    return { ok: false, field: 'status', reason: 'has an on-leave value that is not yes/no, true/false or 1/0' };

  const { hireDate, terminationDate, today } = facts;
  const rehiredSince = hireDate !== undefined && terminationDate !== undefined && hireDate > terminationDate;
  if (terminationDate !== undefined && terminationDate < today && !rehiredSince)
    return { ok: true, status: 'inactive' };
  if (stated !== 'active') return { ok: true, status: stated };
  if (hireDate !== undefined && hireDate > today) return { ok: true, status: 'pending' };
  if (onLeave !== undefined && YES.has(onLeave)) return { ok: true, status: 'leave' };
  return { ok: true, status: 'active' };
}
