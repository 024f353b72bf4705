import { ApplicationFailure } from '@temporalio/common';
import { ALERT_FAILURE_TYPES } from './failure-types';
import { signatureHeader } from './signature';

export interface WebhookPost {
  /** The channel's label (channels.ts): the only way errors name the receiver. */
  label: string;
  /** The resolved URL; it can be a secret (Slack's path is), so it never reaches a message. */
  url: string;
  /** The JSON body, exactly as sent and signed. */
  body: string;
  /** `X-Rosterflow-Event`: the alert's kind. */
  event: string;
  /** `X-Rosterflow-Delivery`: one id per alert and channel, the same on every retry. */
  deliveryId: string;
  /** The resolved signing secret, when the webhook has one. */
  secret?: string;
  timeoutMs?: number;
  now?: Date;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** The longest `Retry-After` followed; the retry policy's own backoff tops out at the same. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

/** POSTs one alert. Resolves on a 2xx; otherwise throws an ApplicationFailure that names only the label and status. */
export async function postWebhook(post: WebhookPost): Promise<{ status: number }> {
  const timestamp = String(Math.floor((post.now ?? new Date()).getTime() / 1000));
  const timeoutMs = post.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let response: Response;
  try {
    response = await fetch(post.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'rosterflow',
        'x-rosterflow-event': post.event,
        'x-rosterflow-delivery': post.deliveryId,
        'x-rosterflow-timestamp': timestamp,
        ...(post.secret === undefined
          ? {}
          : { 'x-rosterflow-signature': signatureHeader(post.secret, timestamp, post.body) }),
      },
      body: post.body,
      // A redirect would resend the body (and its signature) somewhere the config does not name.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw undelivered(`${post.label} could not be reached (${networkReason(err, timeoutMs)})`);
  }
  // The answer's body is not used (it could echo the request); read it only to free the connection.
  await response.arrayBuffer().catch(() => undefined);
  if (response.ok) return { status: response.status };
  const message = `${post.label} answered HTTP ${response.status}`;
  if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
    throw ApplicationFailure.create({
      message: `${message}; not retried`,
      type: ALERT_FAILURE_TYPES.refused,
      nonRetryable: true,
    });
  }
  throw undelivered(message, retryAfter(response.headers.get('retry-after')));
}

function undelivered(message: string, nextRetryDelayMs?: number): ApplicationFailure {
  return ApplicationFailure.create({
    message,
    type: ALERT_FAILURE_TYPES.undelivered,
    ...(nextRetryDelayMs === undefined ? {} : { nextRetryDelay: nextRetryDelayMs }),
  });
}

/** `ECONNREFUSED`, `no answer within 10 s`: the cause, never the URL (fetch's messages can quote it). */
function networkReason(err: unknown, timeoutMs: number): string {
  if (err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  }
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return code ?? (err instanceof Error ? err.name : 'network error');
}

/** `Retry-After` in seconds or as a date, capped; undefined when absent or unreadable. */
function retryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}
