/** Alert failures as the workflow's retry policy sees them (workflows/send-alerts.ts). */
export const ALERT_FAILURE_TYPES = {
  /** Worth another try later: a network error, a timeout, an HTTP 5xx, 408 or 429, a busy mail server. */
  undelivered: 'AlertUndelivered',
  /** The receiver refused it for good (another HTTP 4xx, an SMTP 5xx, a refused sign-in): a retry would be refused too. */
  refused: 'AlertRefused',
} as const;
