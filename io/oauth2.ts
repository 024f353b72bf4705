import { z } from 'zod';
import { RosterflowError } from '../core/errors';
import { cachedTokenAuth } from './auth';
import type { HttpAuth } from './auth';
import { createHttpClient } from './http';
import type { HttpClient, HttpClientOptions } from './http';

const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().optional(),
  token_type: z.string().optional(),
});

export interface ClientCredentialsOptions {
  vendor: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string | undefined;
  /** The connector's `deps.http`, so the token request shares the platform's HTTP settings. */
  http?: (options: HttpClientOptions) => HttpClient;
}

/**
 * OAuth2 client-credentials grant (RFC 6749 section 4.4), the token cached until shortly before
 * `expires_in`. A refused client is a non-retryable `SourceAuthFailed` carrying the issuer's
 * `error_description`, never the secret.
 */
export function clientCredentialsAuth(options: ClientCredentialsOptions): HttpAuth {
  const issuer = (options.http ?? createHttpClient)({
    vendor: options.vendor,
    baseUrl: options.tokenUrl,
    errorMessage: oauthErrorMessage,
  });
  return cachedTokenAuth(async () => {
    const form: Record<string, string> = {
      grant_type: 'client_credentials',
      client_id: options.clientId,
      client_secret: options.clientSecret,
      ...(options.scope ? { scope: options.scope } : {}),
    };
    try {
      const response = await issuer.postForm(options.tokenUrl, form, TokenResponseSchema);
      return { token: response.access_token, expiresInSeconds: response.expires_in };
    } catch (err) {
      // Token endpoints answer a wrong client id or secret with 400 invalid_client as often as with 401.
      if (err instanceof RosterflowError && err.type === 'SourceRequestRejected') {
        throw new RosterflowError(
          'SourceAuthFailed',
          err.message.replace('was rejected', 'refused the client credentials'),
        );
      }
      throw err;
    }
  });
}

/** RFC 6749 section 5.2: `error` is a code, `error_description` the text (Entra adds trace ids on later lines). */
function oauthErrorMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { error, error_description: description } = body as Record<string, unknown>;
  if (typeof description !== 'string' || !description) return undefined;
  const text = description.split(/\r?\n/)[0] ?? description;
  return typeof error === 'string' && error ? `${error}: ${text}` : text;
}
