import { createHash } from 'node:crypto';
import { describeSecret } from '../io/secrets';
import type { AlertKind, AlertRequest } from './alert';
import type { EmailChannel, NotifyConfig, WebhookChannel } from './config';

/**
 * A sync's alert channels in one list: its webhooks in config order, then its email. The index
 * into this list is how the workflow names a channel to the sending activity.
 */
export type AlertChannel =
  { type: 'webhook'; webhook: WebhookChannel; number: number } | { type: 'email'; email: EmailChannel };

/** A channel as the workflow knows it: its index, and a label safe for records and logs. */
export interface AlertChannelRef {
  index: number;
  label: string;
}

export function channelsOf(notify: NotifyConfig): AlertChannel[] {
  return [
    ...notify.webhooks.map((webhook, at) => ({ type: 'webhook' as const, webhook, number: at + 1 })),
    ...(notify.email ? [{ type: 'email' as const, email: notify.email }] : []),
  ];
}

/** The channels that announce this kind of alert (`notify.on` covers all of a sync's channels). */
export function channelsFor(notify: NotifyConfig | undefined, kind: AlertKind): AlertChannelRef[] {
  if (!notify?.on.includes(kind)) return [];
  return channelsOf(notify).map((channel, index) => ({ index, label: channelLabel(channel) }));
}

/**
 * `webhook 1 (hooks.slack.com)`, `email (2 recipients)`. A webhook is named by its host alone: the
 * path can be the secret itself (Slack's `/services/...`), and a URL kept as a secret is named by
 * where it is read from, never by its value.
 */
export function channelLabel(channel: AlertChannel): string {
  if (channel.type === 'email') {
    const count = channel.email.to.length;
    return `email (${count} ${count === 1 ? 'recipient' : 'recipients'})`;
  }
  const { url } = channel.webhook;
  const where = typeof url === 'string' ? hostOf(url) : `URL from ${describeSecret(url)}`;
  return `webhook ${channel.number} (${where})`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid URL';
  }
}

/**
 * The `X-Rosterflow-Delivery` id (and the email's Message-ID): the same for every attempt of one
 * alert to one channel, so a receiver can drop a retry it already handled. The alert's own workflow
 * id tells two events of one kind apart (a run held a second time starts `...-alert-held-2`).
 */
export function deliveryId(alert: AlertRequest, alertWorkflowId: string, channelIndex: number): string {
  const about = alert.run ? alert.run.runId : (alert.stale?.dueBy ?? '');
  const key = JSON.stringify([alertWorkflowId, alert.kind, alert.syncId, about, channelIndex]);
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}
