import ms from 'ms';
import { z } from 'zod';
import { SourceConfigSchema } from '../connectors';
import { NotifyConfigSchema } from '../notify/config';
import { TargetConfigSchema } from '../targets';
import { cronProblem } from './cron';

export const SYNC_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

const duration = z.string().refine((value) => typeof ms(value as ms.StringValue) === 'number', {
  error: 'must be a duration such as "15m", "1h" or "2 days"',
});

const timezone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { error: 'must be an IANA time zone such as "Europe/Berlin" or "UTC"' },
);

/** A cron expression Temporal can run, checked field by field (see config/cron.ts). */
const cron = z.string().superRefine((expression, ctx) => {
  const problem = cronProblem(expression);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: expression });
});

export const ScheduleConfigSchema = z
  .object({
    cron,
    timezone: timezone.default('UTC'),
    /** How late a missed run (worker or server down) may still start; older ones are skipped. */
    catchupWindow: duration.default('15m'),
    paused: z.boolean().default(false),
  })
  .strict();

/**
 * Sync-level safety rules (see core/safety-rules.ts), on by default: a source that suddenly returns
 * far fewer people, or turns many of them into leavers, holds the run for an operator's decision
 * instead of deactivating them. Counts compare against the last successful non-dry-run delivery of
 * the same sync; a sync's first delivery has nothing to compare against, so only minEmployees applies.
 */
export const SafetyConfigSchema = z
  .object({
    /** Hold when the source returns fewer valid employees than this (any status). */
    minEmployees: z.int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).optional(),
    /** Hold when the source returns more than this percentage fewer employees than the last delivery. */
    maxShrinkPercent: z
      .number({ error: 'must be a number' })
      .min(0, { error: 'must be between 0 and 100' })
      .max(100, { error: 'must be between 0 and 100' })
      .default(20),
    /** Hold when more than this many people employed at the last delivery are now leavers or gone. */
    maxDeactivations: z.int({ error: 'must be a whole number' }).min(0, { error: 'must be 0 or more' }).optional(),
    /**
     * The same as a share of the people employed at the last delivery. Default 10, except for targets
     * that check their own import preview (Staffbase's target.safety), where it is off unless set here.
     */
    maxDeactivationPercent: z
      .number({ error: 'must be a number' })
      .min(0, { error: 'must be between 0 and 100' })
      .max(100, { error: 'must be between 0 and 100' })
      .optional(),
    /**
     * What a target's own preview check (Staffbase's target.safety) does when it trips: hold the run
     * for a decision like the rules above (the default), or fail it at once with nothing imported.
     */
    onPreviewTrip: z.enum(['fail', 'hold'], { error: 'must be "fail" or "hold"' }).default('hold'),
    /** How long a held run waits for an approval or rejection before it fails as HoldExpired. */
    holdExpiresAfter: duration
      .refine((value) => ((ms(value as ms.StringValue) as number | undefined) ?? 1000) >= 1000, {
        error: 'must be at least 1s',
      })
      .default('24h'),
  })
  .strict();

export const SyncConfigSchema = z
  .object({
    id: z.string().regex(SYNC_ID_PATTERN, { error: 'must be lowercase letters, digits and dashes (at most 63)' }),
    description: z.string().optional(),
    schedule: ScheduleConfigSchema.optional(),
    source: SourceConfigSchema,
    // Lazy: each target's definition brings its activities, which read this schema back (a cycle).
    target: z.lazy(() => TargetConfigSchema),
    /** What a row that fails validation does: stop the run before delivery, or be left out of the file. */
    onRejectedRows: z.enum(['fail', 'skip']).default('fail'),
    /** Guards against a shrunken source or mass deactivations; on by default (see SafetyConfigSchema). */
    safety: SafetyConfigSchema.prefault({}),
    /** Who hears about failures, holds, partial runs, unusual changes and a sync gone quiet (notify/config.ts). */
    notify: NotifyConfigSchema.optional(),
  })
  .strict();

export const RosterflowConfigSchema = z
  .object({
    version: z.literal(1, { error: 'must be 1' }),
    syncs: z.array(SyncConfigSchema).min(1, { error: 'must declare at least one sync' }),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.syncs.forEach((sync, index) => {
      if (seen.has(sync.id))
        ctx.addIssue({ code: 'custom', path: ['syncs', index, 'id'], message: 'repeats an earlier sync id' });
      seen.add(sync.id);
    });
  });

export type ScheduleConfig = z.infer<typeof ScheduleConfigSchema>;
export type SafetyConfig = z.infer<typeof SafetyConfigSchema>;
export type { SourceConfig } from '../connectors';
export type { TargetConfig } from '../targets';
export type SyncConfig = z.infer<typeof SyncConfigSchema>;
export type RosterflowConfig = z.infer<typeof RosterflowConfigSchema>;
