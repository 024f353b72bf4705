import { ActivityFailure, ApplicationFailure, isCancellation, log, proxyActivities } from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { PERMANENT_ERROR_TYPES } from '../core/errors';
import type { AlertRequest } from '../notify/alert';
import type { AlertChannelRef } from '../notify/channels';
import type { RecordAlertOutcomeInput, SendAlertFailureDetails } from '../notify/activities';
import { ALERT_FAILURE_TYPES } from '../notify/failure-types';

export interface SendAlertsInput {
  alert: AlertRequest;
}

/**
 * How long a receiver may be down before an alert to it is given up: 8 attempts, 10 s doubling to
 * 10 min (about 21 minutes in all). A setting or secret problem, or a receiver that refuses the
 * request for good (HTTP 4xx, SMTP 5xx), is not retried: the same request would fail the same way.
 */
export const ALERT_DELIVERY_RETRY = {
  initialInterval: '10 seconds',
  backoffCoefficient: 2,
  maximumInterval: '10 minutes',
  maximumAttempts: 8,
  nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES, ALERT_FAILURE_TYPES.refused],
} satisfies RetryPolicy;

// Webhooks time out after 10 s, SMTP after 30 s per stage.
const { sendAlert } = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: ALERT_DELIVERY_RETRY });

// Reading the config or the run store, and writing the outcome: a store outage is waited out a while.
const { alertChannels, recordAlertOutcome } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
    nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES],
  },
});

/**
 * Announces one alert on every channel its sync subscribed to it, in parallel, each retried on its
 * own, and records each outcome. It never fails: a dead receiver changes nothing about the sync, which
 * starts this as an abandoned child and does not wait for it.
 */
export async function sendAlerts({ alert }: SendAlertsInput): Promise<void> {
  let channels: AlertChannelRef[];
  try {
    channels = await alertChannels({ alert });
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('Alert not sent: its channels could not be read', { alertKind: alert.kind, error: reasonOf(err) });
    return;
  }
  await Promise.all(channels.map((channel) => announce(alert, channel)));
}

async function announce(alert: AlertRequest, channel: AlertChannelRef): Promise<void> {
  let outcome: Pick<RecordAlertOutcomeInput, 'sent' | 'attempts' | 'error'>;
  try {
    const sent = await sendAlert({ alert, channel: channel.index });
    outcome = { sent: true, attempts: sent.attempt };
  } catch (err) {
    if (isCancellation(err)) throw err;
    outcome = { sent: false, attempts: attemptsOf(err), error: reasonOf(err) };
  }
  try {
    await recordAlertOutcome({ alert, channel: channel.label, ...outcome });
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('Alert outcome not recorded', { alertKind: alert.kind, channel: channel.label, error: reasonOf(err) });
  }
}

/** The attempt a failure came from (sendAlert puts it in its details); a timeout has none, so all were used. */
function attemptsOf(err: unknown): number {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  const details =
    cause instanceof ApplicationFailure ? (cause.details?.[0] as SendAlertFailureDetails | undefined) : undefined;
  return typeof details?.attempt === 'number' ? details.attempt : ALERT_DELIVERY_RETRY.maximumAttempts;
}

/** The activity's own sentence (labels and status codes only), not the SDK's "Activity task failed". */
function reasonOf(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}
