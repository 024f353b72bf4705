import type { EmploymentStatus } from '../../../core/employee';
import { mapStatus, text } from '../../sdk/mapping';

/** BambooHR's `status` field: Active or Inactive. */
const STATUS_WORDS: Record<string, EmploymentStatus> = { active: 'active', inactive: 'inactive' };

/**
 * Words of the customer-defined employment status (`employmentHistoryStatus`) that say more than
 * Active/Inactive. The rest of that list (Full-Time, Part-Time, Contractor, Intern...) is an
 * employment type, not a status.
 */
const EMPLOYMENT_STATUS_WORDS: Record<string, EmploymentStatus> = {
  terminated: 'inactive',
  'leave of absence': 'leave',
  'on leave': 'leave',
  furloughed: 'leave',
};

export interface StatusFacts {
  status: unknown;
  employmentStatus?: unknown;
  /** ISO dates, already cleaned of `""` and `0000-00-00`. */
  hireDate?: string | undefined;
  terminationDate?: string | undefined;
}

export interface ResolvedStatus {
  status: EmploymentStatus | undefined;
  rawStatus: string | undefined;
  employmentType: string | undefined;
}

/** Builds the resolver once per listing: `today` (YYYY-MM-DD) decides what a future hire is. */
export function createStatusResolver(statusMap: Record<string, EmploymentStatus>, today: string) {
  const extra = Object.fromEntries(Object.entries(statusMap).map(([word, status]) => [word.toLowerCase(), status]));
  const statusWords = { ...STATUS_WORDS, ...extra };
  const employmentWords = { ...EMPLOYMENT_STATUS_WORDS, ...extra };

  return (facts: StatusFacts): ResolvedStatus => {
    const employmentWord = text(facts.employmentStatus);
    const fromEmployment = mapStatus(employmentWord, employmentWords);
    // Terminated, on leave...: the employment status is the more precise word, and is no employment type.
    if (fromEmployment) return { status: fromEmployment, rawStatus: employmentWord, employmentType: undefined };

    const rawStatus = text(facts.status);
    let status = mapStatus(rawStatus, statusWords);
    // BambooHR shows people hired with a future start date as Inactive: they are joining, not leaving.
    if (status === 'inactive' && !facts.terminationDate && facts.hireDate !== undefined && facts.hireDate > today) {
      status = 'pending';
    }
    return { status, rawStatus, employmentType: employmentWord };
  };
}
