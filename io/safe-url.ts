import { z } from 'zod';

/** The hosts plain HTTP may reach: this machine, for fakes, local servers and tunnels. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** What a config reports for a base URL that `isSafeBaseUrl` refuses. */
export const SAFE_BASE_URL_ERROR = 'must be https (or http on a loopback address)';

/**
 * Whether credentials sent to `value` stay off the network in clear: https, or http to a loopback
 * host (a token over plain HTTP anywhere else could be read on the way). A value that is not a URL
 * passes, for z.url() to report.
 */
export function isSafeBaseUrl(value: string): boolean {
  if (!URL.canParse(value)) return true;
  const url = new URL(value);
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.includes(url.hostname));
}

/** A base URL that credentials are sent to: https, or http on a loopback host (`isSafeBaseUrl`). */
export const SafeBaseUrlSchema = z.url().refine(isSafeBaseUrl, { error: SAFE_BASE_URL_ERROR });
