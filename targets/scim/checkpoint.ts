import { z } from 'zod';

/**
 * Where a SCIM delivery stands, in the run's `deliver` checkpoint (fenced by attempt, read back
 * through this schema). The people themselves are in `delivery_items` and their outcomes in
 * `delivery_outcomes`; this holds counts, and the plan positions of the window whose writes may be in flight.
 */
export const ScimCheckpointSchema = z.object({
  kind: z.literal('scim'),
  /** `planned`: items written, limits not yet passed; `approved`: writing (within limits, or approved at a hold). */
  phase: z.enum(['planned', 'approved']),
  planned: z.object({
    create: z.number(),
    update: z.number(),
    deactivate: z.number(),
    delete: z.number(),
    unchanged: z.number(),
    ambiguous: z.number(),
    deferred: z.number().default(0),
  }),
  activeManaged: z.number(),
  /** The limit the plan went over, if it did (held, or failed by onPreviewTrip: fail). */
  tripped: z.string().optional(),
  /** The items whose writes may have been sent but not settled: looked up in the app before any resend. */
  inFlight: z.array(z.number().int()).default([]),
});
export type ScimCheckpoint = z.infer<typeof ScimCheckpointSchema>;
