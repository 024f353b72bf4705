import type { ScimTargetConfig } from './config';
import type { ScimPlan } from './plan';

/**
 * The target's deactivation limits against its plan, which counts what the app holds today: the
 * accounts this target would deactivate or delete, of the active accounts it manages there. A
 * sentence of counts (it enters workflow history), or undefined when the plan is within them.
 */
export function judgeScimPlan(
  plan: Pick<ScimPlan, 'counts' | 'activeManaged'>,
  safety: ScimTargetConfig['safety'],
): string | undefined {
  const removed = plan.counts.deactivate + plan.counts.delete;
  const base = plan.activeManaged;
  const percent = base === 0 ? 0 : (removed / base) * 100;
  const { maxDeactivations, maxDeactivationPercent } = safety;
  const overCount = maxDeactivations !== undefined && removed > maxDeactivations;
  if (!overCount && !(percent > maxDeactivationPercent)) return undefined;
  const limit = `${maxDeactivations === undefined ? '' : `${maxDeactivations} users, `}${maxDeactivationPercent}%`;
  return `The SCIM plan would deactivate or delete ${removed} of the ${base} active users this sync manages in the app (${percent.toFixed(1)}%), over the limit (${limit})`;
}
