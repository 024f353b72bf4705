import { Buffer } from 'node:buffer';

/**
 * How a request proves who it is. `headers()` is called before every request, so a token that
 * expired is fetched again; `invalidate()` drops a cached token after a 401.
 */
export interface HttpAuth {
  headers(): Promise<Record<string, string>>;
  invalidate?(): void;
}

/** HTTP Basic; BambooHR uses the API key as the user, HiBob a service user's id and token. */
export function basicAuth(user: string, password: string): HttpAuth {
  const value = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  return { headers: () => Promise.resolve({ authorization: value }) };
}

export function bearerAuth(token: string): HttpAuth {
  return { headers: () => Promise.resolve({ authorization: `Bearer ${token}` }) };
}

export interface IssuedToken {
  token: string;
  /** Lifetime in seconds as the issuer stated it; without one the token is kept until a 401. */
  expiresInSeconds?: number | undefined;
}

/** Refresh this long before the stated expiry, so a token never dies in the middle of a page. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * A bearer token obtained from an issuer (OAuth2 client credentials, Personio's /v1/auth, ...),
 * cached until shortly before it expires. Concurrent callers share one fetch.
 */
export function cachedTokenAuth(issue: () => Promise<IssuedToken>, now: () => number = Date.now): HttpAuth {
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const fetchToken = async (): Promise<string> => {
    const issued = await issue();
    const lifetimeMs = issued.expiresInSeconds === undefined ? Infinity : issued.expiresInSeconds * 1000;
    cached = { token: issued.token, expiresAt: now() + Math.max(0, lifetimeMs - EXPIRY_MARGIN_MS) };
    return issued.token;
  };

  return {
    async headers() {
      if (cached && now() < cached.expiresAt) return { authorization: `Bearer ${cached.token}` };
      pending ??= fetchToken().finally(() => (pending = undefined));
      return { authorization: `Bearer ${await pending}` };
    },
    invalidate() {
      cached = undefined;
    },
  };
}
