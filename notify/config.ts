import ms from 'ms';
import { z } from 'zod';
import { SecretRefSchema } from '../io/secrets';
import { ALERT_KINDS } from './alert';

const duration = z.string().refine((value) => typeof ms(value as ms.StringValue) === 'number', {
  error: 'must be a duration such as "30m", "2h" or "1 day"',
});

/** A webhook's address: written out, or (Slack's incoming webhooks carry their secret in the path) a secret. */
const webhookUrl = z.union([z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }), SecretRefSchema]);

/**
 * One webhook: rosterflow POSTs each alert as JSON (`json`, signed with HMAC-SHA256 when `secret` is
 * set) or as a Slack-compatible message (`slack`: `text` and `blocks`, for Slack, Mattermost, Teams
 * workflows and the like).
 */
export const WebhookChannelSchema = z
  .object({
    url: webhookUrl,
    format: z.enum(['json', 'slack'], { error: 'must be "json" or "slack"' }).default('json'),
    /** The shared secret of the `X-Rosterflow-Signature` header (recommended for `json`). */
    secret: SecretRefSchema.optional(),
  })
  .strict();

/** Email over SMTP, worded for the HR admins who receive it. */
export const EmailChannelSchema = z
  .object({
    smtp: z
      .object({
        host: z.string().min(1, { error: 'is required' }),
        port: z.int({ error: 'must be a whole number' }).min(1).max(65535).default(587),
        /** TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it. */
        secure: z.boolean().default(false),
        user: z.string().min(1).optional(),
        password: SecretRefSchema.optional(),
        /**
         * With a user, STARTTLS is required so the password is never sent in clear; true allows a
         * plain sign-in to a server that offers no TLS (a relay on the same host).
         */
        allowPlaintextSignIn: z.boolean().default(false),
      })
      .strict(),
    from: z.email({ error: 'must be an email address' }),
    to: z.array(z.email({ error: 'must be an email address' })).min(1, { error: 'must name at least one recipient' }),
  })
  .strict();

/**
 * Who hears about a sync, and when (`notify:` of a sync). Alerts carry counts, ids and links, never
 * a person's data; a channel that cannot be reached is retried with backoff and never holds up or
 * fails the sync.
 */
export const NotifyConfigSchema = z
  .object({
    /** Which events alert; all of them by default. */
    on: z.array(z.enum(ALERT_KINDS, { error: `must be one of ${ALERT_KINDS.join(', ')}` })).default([...ALERT_KINDS]),
    /** `unusual-change` fires when more than this share of the people delivered last time changed. */
    unusualChangePercent: z
      .number({ error: 'must be a number' })
      .min(0, { error: 'must be between 0 and 100' })
      .max(100, { error: 'must be between 0 and 100' })
      .default(10),
    /** `stale` fires when a scheduled sync has not succeeded for its schedule's interval plus this. */
    staleGrace: duration.default('2h'),
    webhooks: z.array(WebhookChannelSchema).default([]),
    email: EmailChannelSchema.optional(),
  })
  .strict()
  .refine((notify) => notify.webhooks.length > 0 || notify.email !== undefined, {
    error: 'must name at least one channel (webhooks or email)',
  });

export type NotifyConfig = z.infer<typeof NotifyConfigSchema>;
export type WebhookChannel = z.infer<typeof WebhookChannelSchema>;
export type EmailChannel = z.infer<typeof EmailChannelSchema>;
