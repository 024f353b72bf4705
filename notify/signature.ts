import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The `X-Rosterflow-Signature` header: `sha256=` and the hex HMAC-SHA256, keyed by the webhook's
 * secret, of `<X-Rosterflow-Timestamp>.<raw body>`. Signing the timestamp with the body lets a
 * receiver refuse an old request replayed by someone who captured it.
 */
export function signatureHeader(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface SignedRequest {
  /** The raw request body, exactly as received (before any JSON parsing). */
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
}

/** How far a request's timestamp may be from the receiver's clock. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * What a receiver does (docs/alerts.md shows the same in ten lines): recompute the signature and
 * compare in constant time, then check the timestamp is recent. Exported for receivers in TypeScript.
 */
export function verifySignature(
  secret: string,
  request: SignedRequest,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  if (request.timestamp === undefined || request.signature === undefined) return false;
  const expected = Buffer.from(signatureHeader(secret, request.timestamp, request.body));
  const given = Buffer.from(request.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  return Math.abs(nowSeconds - Number(request.timestamp)) <= toleranceSeconds;
}
