import type { StaffbaseCountName, StaffbaseImportCounts } from './client';
import type { StaffbaseTargetConfig } from './config';

/** What the preview check concludes; reasons are counts only (they enter workflow history). */
export type StaffbasePreviewVerdict =
  | { verdict: 'pass' }
  | { verdict: 'trip'; reason: string }
  /** Full mode without the counts it needs: the import must not run blind. */
  | { verdict: 'unknown'; missing: StaffbaseCountName[]; reason: string };

export interface StaffbasePreviewInput {
  importId: string;
  /** The counts Staffbase reported; each may be absent (unknown). */
  counts: StaffbaseImportCounts | undefined;
  mode: StaffbaseTargetConfig['mode'];
  safety: StaffbaseTargetConfig['safety'];
  /** Data rows in the uploaded file (Staffbase's recordCount, else the artifact's): the users it lists. */
  fileRows: number;
}

/** The two counts a full import's safety depends on: who it would take away. */
const REMOVING: readonly StaffbaseCountName[] = ['deactivated', 'deleted'];
const LISTED: readonly StaffbaseCountName[] = ['created', 'updated', 'unchanged'];

/**
 * The target's deactivation limits against the preview. Only `deactivated` and `deleted` matter; the
 * users listed come from the other counts when all are there, else from the file's row count. A
 * known part that is already over the limit trips however much is unknown (the rest only adds); a
 * full import that cannot be judged names the missing count; a delta import then relies on the
 * sync's own plan (every deactivation in it is a Deactivated row of our own file).
 */
export function judgeStaffbasePreview(input: StaffbasePreviewInput): StaffbasePreviewVerdict {
  const counts = input.counts ?? {};
  const missing = REMOVING.filter((name) => counts[name] === undefined);
  const removed = REMOVING.reduce((sum, name) => sum + (counts[name] ?? 0), 0);
  const listed = LISTED.every((name) => counts[name] !== undefined)
    ? LISTED.reduce((sum, name) => sum + (counts[name] ?? 0), 0)
    : input.fileRows;
  const total = listed + removed;
  const percent = total === 0 ? 0 : (removed / total) * 100;
  const { maxDeactivations, maxDeactivationPercent } = input.safety;
  if ((maxDeactivations !== undefined && removed > maxDeactivations) || percent > maxDeactivationPercent) {
    const atLeast = missing.length > 0 ? 'at least ' : '';
    return {
      verdict: 'trip',
      reason:
        `The Staffbase preview would deactivate or delete ${atLeast}${removed} of ${total} users (${percent.toFixed(1)}%), ` +
        `over the limit (${maxDeactivations === undefined ? '' : `${maxDeactivations} users, `}${maxDeactivationPercent}%)`,
    };
  }
  if (missing.length > 0 && input.mode === 'full') {
    const names = missing.map((name) => `"${name}"`).join(' and ');
    return {
      verdict: 'unknown',
      missing,
      reason:
        `The Staffbase preview of import ${input.importId} does not report the ${names} count` +
        `${missing.length > 1 ? 's' : ''}; a full import is not run without knowing how many users it would deactivate and delete`,
    };
  }
  return { verdict: 'pass' };
}
