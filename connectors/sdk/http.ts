import got, { HTTPError, RequestError } from 'got';
import type { Method } from 'got';
import type { z } from 'zod';
import { RosterflowError, remoteErrorType } from '../../core/errors';
import type { Side } from '../../core/errors';
import type { HttpAuth } from './auth';

export interface HttpClientOptions {
  /** Names the vendor in every error message, e.g. `BambooHR`. */
  vendor: string;
  /** Every relative path is appended to this, e.g. `https://acme.bamboohr.com/api/v1`. */
  baseUrl: string;
  auth?: HttpAuth;
  headers?: Record<string, string>;
  /** Per request, including reading the body. */
  timeoutMs?: number;
  /** Attempts per request, the first included, for 429/502/503/504 and network errors. */
  maxAttempts?: number;
  /** The longest `Retry-After` waited out in-process; a longer one fails the call as `RateLimited`. */
  maxRetryAfterMs?: number;
  /** Pulls the vendor's own error text out of an error response, when it has one. */
  errorMessage?: (body: unknown, headers: Record<string, string | string[] | undefined>) => string | undefined;
  /** Tests shrink the exponential backoff used when a response gives no `Retry-After`. */
  backoffLimitMs?: number;
  /**
   * Which methods are retried in-process. Sources only read, so GET and POST searches are safe;
   * a target's upload is not (a repeated POST could create a second import), so targets pass ['GET'].
   */
  retryMethods?: Method[];
  /** Whose call this is: errors are typed `Source*` or `Target*` so a run record tells which side failed. */
  side?: Side;
}

export interface RawRequestOptions extends RequestOptions {
  json?: unknown;
  form?: Record<string, string>;
  /** A multipart body (Node's global FormData with Blob parts). */
  multipart?: FormData;
}

/** A successful response: its status, headers and body text (empty for 201/204 without a body). */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface RequestOptions {
  searchParams?: Record<string, string | number | boolean | undefined> | URLSearchParams;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** The one HTTP layer every connector uses: timeouts, auth, bounded retries, classified errors. */
export interface HttpClient {
  getJson<S extends z.ZodType>(path: string, schema: S, options?: RequestOptions): Promise<z.output<S>>;
  postJson<S extends z.ZodType>(path: string, body: unknown, schema: S, options?: RequestOptions): Promise<z.output<S>>;
  postForm<S extends z.ZodType>(
    path: string,
    form: Record<string, string>,
    schema: S,
    options?: RequestOptions,
  ): Promise<z.output<S>>;
  /** Any method and body; for responses that are not JSON or whose headers matter (a `Location`). */
  request(method: Method, path: string, options?: RawRequestOptions): Promise<HttpResponse>;
  /** Parses a response body as JSON and validates it, with the same errors as `getJson`. */
  parse<S extends z.ZodType>(response: HttpResponse, schema: S, endpoint: string): z.output<S>;
}

export type { Method } from 'got';

const RETRY_STATUS_CODES = [429, 502, 503, 504];
const DEFAULTS = {
  timeoutMs: 30_000,
  maxAttempts: 5,
  maxRetryAfterMs: 120_000,
  backoffLimitMs: 30_000,
  retryMethods: ['GET', 'POST'] as Method[],
  side: 'source' as Side,
};

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const settings = { ...DEFAULTS, ...options };

  async function send(method: Method, path: string, request: RawRequestOptions): Promise<HttpResponse> {
    const url = resolveUrl(settings.baseUrl, path);
    const endpoint = `${method} ${new URL(url).pathname}`; // never the query: it may carry tokens
    for (let authAttempt = 1; ; authAttempt += 1) {
      const authHeaders = settings.auth ? await settings.auth.headers() : {};
      try {
        const response = await got(url, {
          method,
          headers: { accept: 'application/json', ...settings.headers, ...request.headers, ...authHeaders },
          ...(request.searchParams ? { searchParams: cleanParams(request.searchParams) } : {}),
          ...(request.json === undefined ? {} : { json: request.json }),
          ...(request.form === undefined ? {} : { form: request.form }),
          ...(request.multipart === undefined ? {} : { body: request.multipart }),
          ...(request.signal ? { signal: request.signal } : {}),
          responseType: 'text',
          timeout: { request: settings.timeoutMs },
          retry: {
            limit: settings.maxAttempts - 1,
            methods: settings.retryMethods,
            statusCodes: RETRY_STATUS_CODES,
            maxRetryAfter: settings.maxRetryAfterMs,
            backoffLimit: settings.backoffLimitMs,
          },
        });
        return { status: response.statusCode, headers: response.headers, text: response.body };
      } catch (err) {
        // A cached token can expire early (revoked, clock skew): fetch a new one once.
        if (isStatus(err, 401) && settings.auth?.invalidate && authAttempt === 1) {
          settings.auth.invalidate();
          continue;
        }
        throw classify(err, settings, endpoint);
      }
    }
  }

  const parse = <S extends z.ZodType>(response: HttpResponse, schema: S, endpoint: string): z.output<S> => {
    const parsed = schema.safeParse(parseJson(response.text, settings.vendor, endpoint, settings.side));
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new RosterflowError(
      remoteErrorType(settings.side, 'InvalidResponse'),
      `${settings.vendor}: ${endpoint} returned an unexpected shape${where} (${issue?.message ?? 'invalid'})`,
      { retryable: false },
    );
  };
  const sendParsed = async <S extends z.ZodType>(method: Method, path: string, schema: S, request: RawRequestOptions) =>
    parse(await send(method, path, request), schema, `${method} ${path}`);

  return {
    getJson: (path, schema, request = {}) => sendParsed('GET', path, schema, request),
    postJson: (path, body, schema, request = {}) => sendParsed('POST', path, schema, { ...request, json: body }),
    postForm: (path, form, schema, request = {}) => sendParsed('POST', path, schema, { ...request, form }),
    request: (method, path, request = {}) => send(method, path, request),
    parse,
  };
}

/** Relative paths extend the base URL's path; absolute URLs (next links) are used as they are. */
function resolveUrl(baseUrl: string, path: string): string {
  if (/^https?:\/\//.test(path)) return path;
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function cleanParams(
  params: RequestOptions['searchParams'],
): URLSearchParams | Record<string, string | number | boolean> {
  if (params instanceof URLSearchParams) return params;
  return Object.fromEntries(
    Object.entries(params ?? {}).filter(
      (entry): entry is [string, string | number | boolean] => entry[1] !== undefined,
    ),
  );
}

function parseJson(text: string, vendor: string, endpoint: string, side: Side): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A truncated or non-JSON body is often a proxy's error page or a cut connection: worth a retry.
    throw new RosterflowError(
      remoteErrorType(side, 'InvalidResponse'),
      `${vendor}: ${endpoint} returned a body that is not JSON`,
      {
        retryable: true,
      },
    );
  }
}

function isStatus(err: unknown, status: number): boolean {
  return err instanceof HTTPError && err.response.statusCode === status;
}

function classify(err: unknown, settings: typeof DEFAULTS & HttpClientOptions, endpoint: string): Error {
  if (err instanceof RosterflowError) return err;
  const { vendor } = settings;
  if (err instanceof HTTPError) {
    const status = err.response.statusCode;
    const headers = err.response.headers;
    const detail = vendorMessage(err.response.body, headers, settings.errorMessage);
    const said = detail ? `: ${detail}` : '';
    const httpStatus = { httpStatus: status };
    if (status === 401 || status === 403) {
      const why = status === 401 ? 'rejected the credentials' : "denied access (check the API user's permissions)";
      return new RosterflowError(
        remoteErrorType(settings.side, 'AuthFailed'),
        `${vendor}: ${endpoint} ${why} (HTTP ${status})${said}`,
        httpStatus,
      );
    }
    const retryAfterMs = parseRetryAfter(headers['retry-after']);
    // 429 is always a rate limit; a 503 only when it says how long to wait (BambooHR's throttling
    // today), otherwise it is an outage.
    if (status === 429 || (status === 503 && retryAfterMs !== undefined)) {
      const wait = retryAfterMs === undefined ? '' : `; it asked to wait ${Math.ceil(retryAfterMs / 1000)}s`;
      return new RosterflowError('RateLimited', `${vendor}: ${endpoint} is rate limited (HTTP ${status})${wait}`, {
        ...httpStatus,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    if (status >= 400 && status < 500) {
      return new RosterflowError(
        remoteErrorType(settings.side, 'RequestRejected'),
        `${vendor}: ${endpoint} was rejected (HTTP ${status})${said}`,
        httpStatus,
      );
    }
    return new RosterflowError(
      remoteErrorType(settings.side, 'Unavailable'),
      `${vendor}: ${endpoint} failed (HTTP ${status})${said}`,
      httpStatus,
    );
  }
  if (err instanceof RequestError) {
    if (err.name === 'AbortError') return err;
    return new RosterflowError(
      remoteErrorType(settings.side, 'Unavailable'),
      `${vendor}: ${endpoint} failed (${err.code || err.name})`,
    );
  }
  return new RosterflowError(
    remoteErrorType(settings.side, 'Unavailable'),
    `${vendor}: ${endpoint} failed unexpectedly`,
  );
}

const MAX_VENDOR_MESSAGE = 300;

function vendorMessage(
  body: unknown,
  headers: Record<string, string | string[] | undefined>,
  extract: HttpClientOptions['errorMessage'],
): string | undefined {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      parsed = undefined;
    }
  }
  const message = extract?.(parsed, headers) ?? commonMessage(parsed);
  return message ? message.replace(/\s+/g, ' ').trim().slice(0, MAX_VENDOR_MESSAGE) : undefined;
}

/** The error shapes most HR APIs use: `{message}`, `{error: {message}}`, `{error: "..."}`, `{errors: [{message}]}`. */
function commonMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const error = record['error'];
  const candidates = [
    record['message'],
    typeof error === 'object' && error !== null ? (error as Record<string, unknown>)['message'] : error,
    record['error_description'],
    Array.isArray(record['errors'])
      ? (record['errors'][0] as Record<string, unknown> | undefined)?.['message']
      : undefined,
  ];
  return candidates.find((candidate): candidate is string => typeof candidate === 'string' && candidate.length > 0);
}

/** `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 section 10.2.3). */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
