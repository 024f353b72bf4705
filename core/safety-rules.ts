/**
 * The sync-level safety rules, as a pure function so they can be tested without a server and read
 * in one place. They guard against the failure a roster sync fears most: a source that silently
 * returns too few people (a half-written export, a permission change in the HRIS, a filter gone
 * wrong), which a target would read as "all these people left" and deactivate them.
 *
 * Every reason is a sentence made of counts and settings only: reasons travel into Temporal history
 * (the hold query, the failure message), the run record and the CLI, where employee data must never go.
 */

/** The plan's counts: this run against the last delivered run of the same sync. */
export interface PlanCounts {
  /** Valid employees this run pulled (every status). */
  pulled: number;
  /** Employed people (any status but `inactive`) in this run. */
  active: number;
  /** What the last successful, non-dry-run delivery of this sync pulled; absent on a sync's first delivery. */
  previousPulled?: number;
  /** Employed people in that delivery. */
  previousActive?: number;
  /** Employed in that delivery, and now inactive or gone from the source. */
  deactivations: number;
  /** The run of that delivery and when it delivered (ISO), so a reason says what it compares against. */
  previousRunId?: string;
  previousDeliveredAt?: string;
}

/** The effective limits (config defaults applied; see config/schema.ts `safety`). */
export interface SafetyLimits {
  minEmployees?: number | undefined;
  maxShrinkPercent: number;
  maxDeactivations?: number | undefined;
  /** Unset: no percentage limit (a target with its own preview check, such as Staffbase, guards it). */
  maxDeactivationPercent?: number | undefined;
}

/** The sync-level deactivation percentage applied unless the sync sets one (or the target checks its own preview). */
export const DEFAULT_MAX_DEACTIVATION_PERCENT = 10;

const percent = (part: number, whole: number): number => (whole === 0 ? 0 : (part / whole) * 100);
const formatPercent = (value: number): string => `${value.toFixed(1)}%`;

/**
 * Returns one sentence per rule the plan trips, in a fixed order; none means delivery may go ahead.
 * The first delivery of a sync has nothing to compare against, so only `minEmployees` applies to it.
 */
export function evaluateSafetyRules(counts: PlanCounts, limits: SafetyLimits): string[] {
  const tripped: string[] = [];
  if (limits.minEmployees !== undefined && counts.pulled < limits.minEmployees) {
    tripped.push(
      `The source returned ${counts.pulled} employees, fewer than safety.minEmployees (${limits.minEmployees})`,
    );
  }
  const { previousPulled, previousActive } = counts;
  const lastDelivery = `the last delivery${deliveryRef(counts)}`;
  if (previousPulled !== undefined && previousPulled > 0 && counts.pulled < previousPulled) {
    const shrink = percent(previousPulled - counts.pulled, previousPulled);
    if (shrink > limits.maxShrinkPercent) {
      tripped.push(
        `The source returned ${counts.pulled} employees, ${formatPercent(shrink)} fewer than the ${previousPulled} it returned for ${lastDelivery}, more than safety.maxShrinkPercent (${limits.maxShrinkPercent}%)`,
      );
    }
  }
  if (previousActive !== undefined && counts.deactivations > 0) {
    const share = percent(counts.deactivations, previousActive);
    const deactivated = `${counts.deactivations} of the ${previousActive} people employed at ${lastDelivery} would be deactivated`;
    if (limits.maxDeactivations !== undefined && counts.deactivations > limits.maxDeactivations) {
      tripped.push(`${deactivated}, more than safety.maxDeactivations (${limits.maxDeactivations})`);
    }
    if (limits.maxDeactivationPercent !== undefined && share > limits.maxDeactivationPercent) {
      tripped.push(
        `${deactivated} (${formatPercent(share)}), more than safety.maxDeactivationPercent (${limits.maxDeactivationPercent}%)`,
      );
    }
  }
  return tripped;
}

/** " (run <id>, 2026-12-01)": which delivery the counts compare against, when the plan knows it. */
export function deliveryRef({
  previousRunId,
  previousDeliveredAt,
}: Pick<PlanCounts, 'previousRunId' | 'previousDeliveredAt'>): string {
  const parts = [
    ...(previousRunId === undefined ? [] : [`run ${previousRunId}`]),
    ...(previousDeliveredAt === undefined ? [] : [previousDeliveredAt.slice(0, 10)]),
  ];
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/** What an operator sends to answer a hold, by Update or Signal. */
export interface HoldDecisionInput {
  approve: boolean;
  /** Who decided: a person's login or name, as the operator types it. */
  by: string;
  /** Why, in the operator's words (a ticket number, "expected: the Berlin office closed"). */
  reason: string;
}

const MAX_DECISION_TEXT = 500;

/**
 * Checks a decision's shape; returns it trimmed, or a sentence naming every bad field. Pure, so the
 * workflow's Update validator and Signal handler and the CLI apply exactly the same rules.
 */
export function parseHoldDecision(input: unknown): HoldDecisionInput | string {
  const problems: string[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return 'a hold decision must be an object {"approve": true|false, "by": "<who>", "reason": "<why>"}';
  }
  const { approve, by, reason, ...rest } = input as Record<string, unknown>;
  if (typeof approve !== 'boolean') problems.push('approve: must be true or false');
  for (const [name, value] of [
    ['by', by],
    ['reason', reason],
  ] as const) {
    if (typeof value !== 'string' || value.trim() === '') problems.push(`${name}: is required (non-empty text)`);
    else if (value.length > MAX_DECISION_TEXT)
      problems.push(`${name}: must be at most ${MAX_DECISION_TEXT} characters`);
  }
  for (const name of Object.keys(rest)) problems.push(`${name}: is not a known field`);
  if (problems.length > 0) return `the hold decision is invalid (${problems.join('; ')})`;
  return { approve: approve as boolean, by: (by as string).trim(), reason: (reason as string).trim() };
}
