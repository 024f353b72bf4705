import { Buffer } from 'node:buffer';
import { setTimeout as delay } from 'node:timers/promises';
import got, { HTTPError, RequestError } from 'got';
import type { Method } from 'got';
import type { z } from 'zod';
import { RosterflowError, remoteErrorType } from '../core/errors';
import type { Side } from '../core/errors';
import type { HttpAuth } from './auth';
import type { StreamedForm } from './streamed-form';

export interface HttpClientOptions {
  /** Names the vendor in every error message, e.g. `BambooHR`. */
  vendor: string;
  /** Every relative path is appended to this, e.g. `https://acme.bamboohr.com/api/v1`. */
  baseUrl: string;
  auth?: HttpAuth;
  headers?: Record<string, string>;
  /** Per request, including reading the body. */
  timeoutMs?: number;
  /**
   * Attempts per request, the first included, for 429/502/503/504 and network errors (timeouts,
   * resets, a body cut off before its declared length). Only methods in `retryMethods` are repeated.
   */
  maxAttempts?: number;
  /**
   * Attempts of a JSON call whose successful answer is not JSON (an HTML sign-in or proxy page, an
   * empty or malformed body), the first included; then it fails for good as `*InvalidResponse`.
   */
  maxInvalidAttempts?: number;

  /** The longest `Retry-After` waited out in-process; a longer one fails the call as `RateLimited`. */
  maxRetryAfterMs?: number;
  /** Pulls the vendor's own error text out of an error response, when it has one. */
  errorMessage?: (body: unknown, headers: Record<string, string | string[] | undefined>) => string | undefined;
  /** Pulls the vendor's error code (a short token such as SCIM's `scimType`) out of an error response. */
  errorCode?: (body: unknown) => string | undefined;
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
  /**
   * A multipart body: Node's global FormData with Blob parts, or a `StreamedForm` whose files are
   * streamed (reopened on every attempt) with a Content-Length from their known sizes.
   */
  multipart?: FormData | StreamedForm;
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

/** Answers that ask for the same request again: rate limits and gateway or service outages. */
const RETRY_STATUS_CODES = [429, 502, 503, 504];
/** Network failures worth another try: timeouts, resets (a truncated body included), refused connections. */
const RETRY_ERROR_CODES = new Set([
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTFOUND',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EADDRINUSE',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const DEFAULTS = {
  timeoutMs: 30_000,
  maxAttempts: 5,
  maxInvalidAttempts: 3,
  maxRetryAfterMs: 120_000,
  backoffLimitMs: 30_000,
  retryMethods: ['GET', 'POST'] as Method[],
  side: 'source' as Side,
};
type Settings = typeof DEFAULTS & HttpClientOptions;

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const settings: Settings = { ...DEFAULTS, ...options };
  const retriesMethod = (method: Method) =>
    settings.retryMethods.some((candidate) => candidate.toUpperCase() === method.toUpperCase());

  async function send(method: Method, path: string, request: RawRequestOptions, json: boolean): Promise<HttpResponse> {
    const url = resolveUrl(settings.baseUrl, path);
    const endpoint = `${method} ${new URL(url).pathname}`; // never the query: it may carry tokens
    const retryable = retriesMethod(method);
    let authRenewed = false;
    let failedAttempts = 0;
    let invalidAttempts = 0;
    for (;;) {
      const authHeaders = settings.auth ? await settings.auth.headers() : {};
      let response: HttpResponse;
      try {
        const answer = await got(url, {
          method,
          headers: { accept: 'application/json', ...settings.headers, ...request.headers, ...authHeaders },
          ...(request.searchParams ? { searchParams: cleanParams(request.searchParams) } : {}),
          ...(request.json === undefined ? {} : { json: request.json }),
          ...(request.form === undefined ? {} : { form: request.form }),
          ...(request.multipart === undefined ? {} : { body: request.multipart }),
          ...(request.signal ? { signal: request.signal } : {}),
          responseType: 'text',
          timeout: { request: settings.timeoutMs },
          // Retries are decided below, where the method, the status and the body are all known.
          retry: { limit: 0 },
        });
        response = { status: answer.statusCode, headers: answer.headers, text: answer.body };
      } catch (err) {
        // A cached token can expire early (revoked, clock skew): fetch a new one once.
        if (isStatus(err, 401) && settings.auth?.invalidate && !authRenewed) {
          authRenewed = true;
          settings.auth.invalidate();
          continue;
        }
        const failure = classify(err, settings, endpoint);
        failedAttempts += 1;
        // Only methods that are safe to repeat: a repeated upload could be a second import.
        const waitMs =
          retryable && failedAttempts < settings.maxAttempts ? retryDelay(err, failedAttempts, settings) : undefined;
        if (waitMs === undefined) throw failure;
        await pause(waitMs, request.signal);
        continue;
      }
      if (!json) return response;
      const problem = jsonProblem(response);
      if (problem === undefined) return response;
      // A sign-in page, a proxy's error page or a cut-off body is often gone a moment later: a bounded
      // retry (reads only), then a clear failure that is not retried again, since it rarely heals by itself.
      invalidAttempts += 1;
      if (!retryable || invalidAttempts >= settings.maxInvalidAttempts) {
        const tries = invalidAttempts > 1 ? ` (${invalidAttempts} attempts)` : '';
        throw invalidResponse(settings, `${endpoint} ${problem}${tries}`, response.status);
      }
      await pause(backoffMs(invalidAttempts, settings), request.signal);
    }
  }

  const parse = <S extends z.ZodType>(response: HttpResponse, schema: S, endpoint: string): z.output<S> => {
    const problem = jsonProblem(response);
    if (problem !== undefined) throw invalidResponse(settings, `${endpoint} ${problem}`, response.status);
    const body = response.text.trim() === '' ? undefined : (JSON.parse(response.text) as unknown);
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    // Names the field path and zod's words (types and expectations), never a value from the body.
    throw invalidResponse(
      settings,
      `${endpoint} returned an unexpected shape${where} (${issue?.message ?? 'invalid'})`,
      response.status,
    );
  };
  const sendParsed = async <S extends z.ZodType>(
    method: Method,
    path: string,
    schema: S,
    request: RawRequestOptions,
  ) => {
    const response = await send(method, path, request, true);
    return parse(response, schema, `${method} ${new URL(resolveUrl(settings.baseUrl, path)).pathname}`);
  };

  return {
    getJson: (path, schema, request = {}) => sendParsed('GET', path, schema, request),
    postJson: (path, body, schema, request = {}) => sendParsed('POST', path, schema, { ...request, json: body }),
    postForm: (path, form, schema, request = {}) => sendParsed('POST', path, schema, { ...request, form }),
    request: (method, path, request = {}) => send(method, path, request, false),
    parse,
  };
}

function invalidResponse(settings: Settings, what: string, httpStatus: number): RosterflowError {
  return new RosterflowError(remoteErrorType(settings.side, 'InvalidResponse'), `${settings.vendor}: ${what}`, {
    retryable: false,
    httpStatus,
  });
}

/**
 * Why a successful answer is not the JSON a JSON call expects, or undefined when it is. Never quotes
 * the body (it may be a page full of someone's data, or a parser message echoing it).
 */
function jsonProblem(response: HttpResponse): string | undefined {
  const status = `HTTP ${response.status}`;
  // 204/205 carry no body by definition; the schema decides whether "nothing" is acceptable.
  if (response.status === 204 || response.status === 205) return undefined;
  const header = response.headers['content-type'];
  const contentType = (Array.isArray(header) ? header[0] : header)?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (contentType !== '' && !/^application\/(?:[\w.+-]+\+)?json$/.test(contentType) && contentType !== 'text/json') {
    const hint = contentType === 'text/html' ? '; a sign-in page or a proxy may be answering instead of the API' : '';
    return `answered ${safeToken(contentType)} instead of JSON (${status})${hint}`;
  }
  if (response.text.trim() === '') return `returned an empty body where JSON was expected (${status})`;
  try {
    JSON.parse(response.text);
    return undefined;
  } catch {
    return `returned a body that is not valid JSON (${status}, ${Buffer.byteLength(response.text)} bytes; truncated or malformed)`;
  }
}

/** A content type as a short token of its own characters, so nothing else from a header reaches a message. */
function safeToken(text: string): string {
  return text.replace(/[^\w.+/-]/g, '').slice(0, 60) || 'an unknown content type';
}

function backoffMs(attempt: number, settings: Settings): number {
  return Math.min(1000 * 2 ** (attempt - 1) + Math.floor(Math.random() * 100), settings.backoffLimitMs);
}

/** How long to wait before the next attempt of a failed request, or undefined when it should not be repeated. */
function retryDelay(err: unknown, attempt: number, settings: Settings): number | undefined {
  if (err instanceof HTTPError) {
    const status = err.response.statusCode;
    if (!RETRY_STATUS_CODES.includes(status)) return undefined;
    const retryAfterMs = parseRetryAfter(err.response.headers['retry-after']);
    if (retryAfterMs === undefined) return backoffMs(attempt, settings);
    // A longer wait than this is the caller's to take (a durable timer), not an in-process sleep.
    return retryAfterMs <= settings.maxRetryAfterMs ? retryAfterMs : undefined;
  }
  if (err instanceof RequestError && err.name !== 'AbortError' && RETRY_ERROR_CODES.has(err.code)) {
    return backoffMs(attempt, settings);
  }
  return undefined;
}

async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  await delay(ms, undefined, signal ? { signal } : {});
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

function isStatus(err: unknown, status: number): boolean {
  return err instanceof HTTPError && err.response.statusCode === status;
}

function classify(err: unknown, settings: Settings, endpoint: string): Error {
  if (err instanceof RosterflowError) return err;
  const { vendor } = settings;
  if (err instanceof HTTPError) {
    const status = err.response.statusCode;
    const headers = err.response.headers;
    const detail = vendorMessage(err.response.body, headers, settings.errorMessage);
    const said = detail ? `: ${detail}` : '';
    const vendorCode = settings.errorCode ? vendorErrorCode(err.response.body, settings.errorCode) : undefined;
    const httpStatus = { httpStatus: status, ...(vendorCode === undefined ? {} : { vendorCode }) };
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
    const unavailable = remoteErrorType(settings.side, 'Unavailable');
    if (err.name === 'TimeoutError') {
      return new RosterflowError(
        unavailable,
        `${vendor}: ${endpoint} timed out (no complete answer within ${formatMs(settings.timeoutMs)})`,
      );
    }
    if (err.name === 'ReadError') {
      return new RosterflowError(
        unavailable,
        `${vendor}: ${endpoint} failed: the connection broke while the answer was read (${err.code || err.name})`,
      );
    }
    return new RosterflowError(unavailable, `${vendor}: ${endpoint} failed (${err.code || err.name})`);
  }
  return new RosterflowError(
    remoteErrorType(settings.side, 'Unavailable'),
    `${vendor}: ${endpoint} failed unexpectedly`,
  );
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

const MAX_VENDOR_MESSAGE = 300;

/** A vendor's error code as a short token of its own characters (it is recorded, so never free text). */
function vendorErrorCode(body: unknown, extract: NonNullable<HttpClientOptions['errorCode']>): string | undefined {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return undefined;
    }
  }
  const code = extract(parsed)
    ?.replace(/[^\w.-]/g, '')
    .slice(0, 40);
  return code || undefined;
}

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
  return message ? redactPersonalData(message.replace(/\s+/g, ' ').trim()).slice(0, MAX_VENDOR_MESSAGE) : undefined;
}

/**
 * A vendor's error text goes into run records and Temporal history; some quote the record they
 * refused ("user jane@acme.example already exists"). Email addresses and free-standing long digit runs
 * (phone, national or personnel numbers; not ids such as GUIDs) are blanked; the rest of the sentence still says what went wrong.
 */
export function redactPersonalData(text: string): string {
  return text
    .replace(/[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[^\s@"'<>(),;:]+/g, '[email]')
    .replace(/(?<![\w-])\+?\d[\d ()-]{6,}\d(?![\w-])/g, '[number]');
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
