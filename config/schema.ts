import ms from 'ms';
import { z } from 'zod';
import { SourceConfigSchema } from '../connectors';
import { TargetConfigSchema } from '../targets';

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

/** Standard 5-field cron, 6/7-field cron with seconds/years, or a macro such as @daily. */
const cron = z
  .string()
  .refine((expr) => /^@\w+$/.test(expr.trim()) || [5, 6, 7].includes(expr.trim().split(/\s+/).length), {
    error: 'must be a cron expression such as "0 2 * * *" (5 fields) or a macro such as "@daily"',
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

export const SyncConfigSchema = z
  .object({
    id: z.string().regex(SYNC_ID_PATTERN, { error: 'must be lowercase letters, digits and dashes (at most 63)' }),
    description: z.string().optional(),
    schedule: ScheduleConfigSchema.optional(),
    source: SourceConfigSchema,
    target: TargetConfigSchema,
    /** What a row that fails validation does: stop the run before delivery, or be left out of the file. */
    onRejectedRows: z.enum(['fail', 'skip']).default('fail'),
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
export type { SourceConfig } from '../connectors';
export type { TargetConfig } from '../targets';
export type SyncConfig = z.infer<typeof SyncConfigSchema>;
export type RosterflowConfig = z.infer<typeof RosterflowConfigSchema>;
