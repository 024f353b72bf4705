import { text } from '../sdk/mapping';
import { BamboohrErrorBodySchema } from './types';

/**
 * BambooHR's own error text: legacy v1 endpoints (directory, custom report) put it in the
 * `X-BambooHR-Error-Message` header, newer ones (the employee list) answer JSON `{code, message}`.
 */
export function bamboohrErrorMessage(
  body: unknown,
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const header = headers['x-bamboohr-error-message'];
  const fromHeader = text(Array.isArray(header) ? header[0] : header);
  if (fromHeader) return fromHeader;
  const parsed = BamboohrErrorBodySchema.safeParse(body);
  if (!parsed.success) return undefined;
  const code = text(parsed.data.code);
  const message = text(parsed.data.message);
  return code && message ? `${code}: ${message}` : (message ?? code);
}
