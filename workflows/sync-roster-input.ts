import { z } from 'zod';

/**
 * The one JSON object `syncRoster` takes, as typed into the Temporal Web UI, passed by the CLI or
 * set on a Schedule. Only `syncId` is required.
 */
export const SyncRosterInputSchema = z
  .object({
    syncId: z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
      .min(1, { error: 'must not be empty' }),
    /** Render and record everything, but deliver nothing. */
    dryRun: z.boolean().default(false),
    /** Set by the rosterflow CLI; runs from a Schedule or the Web UI are recognised without it. */
    trigger: z.enum(['schedule', 'manual', 'cli']).optional(),
  })
  .strict();

export type SyncRosterInput = z.input<typeof SyncRosterInputSchema>;
export type ParsedSyncRosterInput = z.output<typeof SyncRosterInputSchema>;

/** Returns the parsed input, or a sentence naming every bad field. */
export function parseSyncRosterInput(input: unknown): ParsedSyncRosterInput | string {
  const parsed = SyncRosterInputSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`);
  return `syncRoster input is invalid (${problems.join('; ')}); expected {"syncId": "<id>", "dryRun"?: boolean}`;
}
