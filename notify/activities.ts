import { activityInfo, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../activities/deps';
import { toApplicationFailure } from '../activities/failures';
import { findSync, loadConfig } from '../config/load';
import { SyncConfigSchema } from '../config/schema';
import type { SyncConfig } from '../config/schema';
import { RosterflowError } from '../core/errors';
import { createSecretResolver, describeSecret } from '../io/secrets';
import type { SecretRef } from '../io/secrets';
import type { AlertRequest } from './alert';
import { channelLabel, channelsFor, channelsOf, deliveryId } from './channels';
import type { AlertChannel, AlertChannelRef } from './channels';
import { sendAlertEmail } from './email';
import { renderAlertEmail } from './email-text';
import { runHistoryUrl, webUiBaseUrl } from './links';
import { buildAlertMessage } from './message';
import type { AlertMessage } from './message';
import { renderSlackMessage } from './slack';
import { postWebhook } from './webhook';

export interface AlertChannelsInput {
  alert: AlertRequest;
}

export interface SendAlertInput {
  alert: AlertRequest;
  /** The channel's index in the list `alertChannels` returned. */
  channel: number;
}

export interface SendAlertResult {
  /** The channel's label (never a URL path or a secret). */
  channel: string;
  /** The attempt that delivered it, the first being 1. */
  attempt: number;
}

/** What a failed `sendAlert` carries in its failure's `details[0]`, for the outcome's record. */
export interface SendAlertFailureDetails {
  attempt: number;
}

export interface RecordAlertOutcomeInput {
  alert: AlertRequest;
  /** The channel's label. */
  channel: string;
  sent: boolean;
  attempts: number;
  /** Why it was not delivered: the last failure's sentence (labels and status codes only). */
  error?: string;
}

export function createNotifyActivities(deps: ActivityDeps) {
  return {
    /** The channels that announce this alert: its kind must be in the sync's `notify.on`. */
    async alertChannels({ alert }: AlertChannelsInput): Promise<AlertChannelRef[]> {
      const sync = await syncOfAlert(deps, alert);
      return channelsFor(sync.notify, alert.kind);
    },

    /**
     * Builds the alert from the run record as it is now and delivers it to one channel. Secrets are
     * read here, just before use. A failure carries the attempt in its details and names the channel
     * by its label only.
     */
    async sendAlert({ alert, channel }: SendAlertInput): Promise<SendAlertResult> {
      const { attempt, namespace, workflowExecution } = activityInfo();
      try {
        const sync = await syncOfAlert(deps, alert);
        const target = sync.notify ? channelsOf(sync.notify)[channel] : undefined;
        if (!sync.notify || !target) {
          throw ApplicationFailure.nonRetryable(
            `Sync ${alert.syncId} no longer has alert channel ${channel + 1} (its notify settings changed)`,
            'InvalidConfig',
          );
        }
        const run = alert.run ? await deps.store.runs.get(alert.run.runId) : null;
        const baseUrl = alert.run ? await webUiBaseUrl() : undefined;
        const message = buildAlertMessage({
          alert,
          run,
          unusualChangePercent: sync.notify.unusualChangePercent,
          ...(baseUrl && alert.run ? { runUrl: runHistoryUrl(baseUrl, namespace, alert.run) } : {}),
          sentAt: new Date(),
        });
        const label = channelLabel(target);
        const id = deliveryId(alert, workflowExecution?.workflowId ?? '', channel);
        await deliver(deps, { channel: target, index: channel, label, message, deliveryId: id });
        log.info('Alert sent', { alertKind: alert.kind, channel: label });
        return { channel: label, attempt };
      } catch (err) {
        throw withAttempt(err, attempt);
      }
    },

    /**
     * Notes an alert's outcome with its run (`alert_deliveries`: `step: notify`, `alert-sent` / `alert-failed`);
     * a `stale` alert has no run, so its outcome is a line in the worker's log.
     */
    async recordAlertOutcome(input: RecordAlertOutcomeInput): Promise<void> {
      const { alert, channel, sent, attempts } = input;
      const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
      const detail = sent
        ? `${alert.kind} alert sent to ${channel} (attempt ${attempts})`
        : `${alert.kind} alert not delivered to ${channel} after ${tries}: ${withoutLabel(input.error ?? 'unknown error', channel)}`;
      if (!alert.run) {
        const attributes = { alertKind: alert.kind, channel, attempts, syncId: alert.syncId };
        if (sent) log.info(detail, attributes);
        else log.warn(detail, attributes);
        return;
      }
      const kind = sent ? 'alert-sent' : 'alert-failed';
      // Beside the run record, not in it: the run may be writing its record right now (store/alert-deliveries.ts).
      const alertWorkflowId = activityInfo().workflowExecution?.workflowId ?? alert.run.workflowId;
      await deps.store.alertDeliveries.record(alert.run.runId, alert.syncId, alertWorkflowId, {
        at: new Date(),
        step: 'notify',
        kind,
        detail,
      });
    },
  };
}

/**
 * The sync definition an alert goes by: the one its run pinned at its start, else (a `stale` alert,
 * or a run that failed before resolving its sync) the config file as it is now.
 */
async function syncOfAlert(deps: ActivityDeps, alert: AlertRequest): Promise<SyncConfig> {
  if (alert.run) {
    const pinned = SyncConfigSchema.safeParse((await deps.store.runs.get(alert.run.runId))?.sync);
    if (pinned.success) return pinned.data;
  }
  return findSync(await loadConfig(deps.configPath), alert.syncId, deps.configPath);
}

/** One alert to one channel, the channel's secrets resolved. */
interface Delivery {
  channel: AlertChannel;
  /** Its index in the sync's channels: webhooks come first, so it is also its index in `notify.webhooks`. */
  index: number;
  label: string;
  message: AlertMessage;
  deliveryId: string;
}

async function deliver(
  deps: ActivityDeps,
  { channel, index, label, message, deliveryId: id }: Delivery,
): Promise<void> {
  const resolve = deps.resolveSecret ?? createSecretResolver();
  const secret = (ref: SecretRef | undefined, setting: string) =>
    ref === undefined ? Promise.resolve(undefined) : resolve(ref, setting);
  if (channel.type === 'email') {
    const password = await secret(channel.email.smtp.password, 'notify.email.smtp.password');
    await sendAlertEmail({
      label,
      channel: channel.email,
      ...(password === undefined ? {} : { password }),
      email: renderAlertEmail(message),
      deliveryId: id,
    });
    return;
  }
  const { webhook } = channel;
  const setting = `notify.webhooks[${index}]`;
  const url = typeof webhook.url === 'string' ? webhook.url : await resolve(webhook.url, `${setting}.url`);
  if (typeof webhook.url !== 'string' && !/^https?:\/\//i.test(url)) {
    // Said without the value: it is a secret, even when it is not a URL.
    throw new RosterflowError(
      'InvalidConfig',
      `${setting}.url: the ${describeSecret(webhook.url)} does not hold an http(s) URL`,
    );
  }
  const signingSecret = await secret(webhook.secret, `${setting}.secret`);
  await postWebhook({
    label,
    url,
    body: JSON.stringify(webhook.format === 'slack' ? renderSlackMessage(message) : message),
    event: message.kind,
    deliveryId: id,
    ...(signingSecret === undefined ? {} : { secret: signingSecret }),
  });
}

/** "webhook 1 (host) answered HTTP 500" is recorded as "answered HTTP 500" after the label already given. */
function withoutLabel(error: string, label: string): string {
  return error.startsWith(label) ? error.slice(label.length).replace(/^:?\s*/, '') : error;
}

/** The failure as history will keep it (worker/classify-failures.ts), with the attempt in its details. */
function withAttempt(err: unknown, attempt: number): ApplicationFailure {
  const failure = toApplicationFailure(err, 'sendAlert');
  const details: SendAlertFailureDetails = { attempt };
  const annotated = ApplicationFailure.create({
    message: failure.message,
    ...(failure.type ? { type: failure.type } : {}),
    nonRetryable: failure.nonRetryable === true,
    details: [details],
    ...(failure.nextRetryDelay == null ? {} : { nextRetryDelay: failure.nextRetryDelay }),
  });
  annotated.stack = failure.stack ?? '';
  return annotated;
}
