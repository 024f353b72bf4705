import { z } from 'zod';

/**
 * A target's own deactivation limits (its `safety`), checked against what the target itself says it
 * would do (Staffbase's import preview, SCIM's plan against the app) before anything is changed.
 * The percentage is of the users that count says it covers; each target's docs say which.
 */
export const DeactivationLimitsSchema = z
  .object({
    maxDeactivations: z.int().min(0).optional(),
    maxDeactivationPercent: z.number().min(0).max(100).default(10),
  })
  .strict()
  .prefault({});
export type DeactivationLimits = z.output<typeof DeactivationLimitsSchema>;
