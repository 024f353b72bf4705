import { FakeHttpServer } from '../fakes/support/fake-http';
import type { Fault, FakeRequest, FakeResponse } from '../fakes/support/fake-http';
import { forward } from './slow-proxy';

/**
 * - `429`: Too Many Requests with `Retry-After` (seconds) and a SCIM error body;
 * - `500`, `503`: a server error with a SCIM error body;
 * - `hang`: no answer at all, until the client's timeout gives up;
 * - `cut`: the connection reset without an answer, the request never sent on;
 * - `cut-after-forward`: sent on (the server did the write), then the connection reset without an
 *   answer: the client cannot tell from the first case, and must not write twice.
 * None but `cut-after-forward` reaches the SCIM server.
 */
export type ScimFaultKind = '429' | '500' | '503' | 'hang' | 'cut' | 'cut-after-forward';

export interface ScimFaultOptions {
  /** Only requests with this method (upper case); any when absent. */
  method?: string;
  /**
   * Only requests whose path matches, as the client sent it without the query: `/Users/<id>`, or
   * `/v2/Users/<id>` when it follows a `meta.location` (so leave the start unanchored). Any when absent.
   */
  path?: RegExp;
  /** How many matching requests it spoils; default 1. */
  times?: number;
  /** Starts at the nth matching request (1-based); default the next one. */
  nth?: number;
  /** `429` only: the `Retry-After` seconds, default 1; null sends none. */
  retryAfterSeconds?: number | null;
}

/** A request the SCIM server received through the proxy, and what it answered. */
export interface ForwardedRequest {
  method: string;
  /** Relative to the SCIM base (a leading `/v2` dropped): `/Users/<id>`. */
  path: string;
  /** The query string, decoded: `filter=externalId eq "7"`. */
  query: string;
  /** The body the client sent, parsed when it is JSON. */
  body?: unknown;
  /** The server's status, whether or not the client heard it. */
  status: number;
  /** Set when a `cut-after-forward` fault kept the answer from the client. */
  answerLost?: true;
}

/** A request the proxy received, forwarded or answered by a fault. */
export interface ReceivedRequest {
  method: string;
  path: string;
  /** The fault that answered or spoiled it. */
  fault?: ScimFaultKind;
}

/** Requests that change nothing though not GET (RFC 7644 §3.4.3). */
const SEARCH_PATH = /\/\.search$/;

/**
 * A loopback HTTP proxy in front of a SCIM server that spoils the next matching requests as
 * told, and records what reached the server, so a test can assert what was (not) written.
 */
export class ScimFaultProxy {
  private constructor(
    private readonly http: FakeHttpServer,
    private readonly forwarded: ForwardedRequest[],
  ) {}

  /** `upstream`: the server's SCIM base or origin; its path is ignored, since `/v2` is optional there. */
  static async start(upstream: string): Promise<ScimFaultProxy> {
    const origin = new URL(upstream).origin;
    const forwarded: ForwardedRequest[] = [];
    const http = await FakeHttpServer.start(async (request) => {
      // The server names this proxy, not itself, in Location and meta.location.
      const host = new URL(http.url).host;
      const response = await forward(origin, { ...request, headers: { ...request.headers, 'x-forwarded-host': host } });
      forwarded.push(toForwarded(request, response));
      return response;
    });
    return new ScimFaultProxy(http, forwarded);
  }

  /** The SCIM base through the proxy: `${url}/Users`. */
  get url(): string {
    return this.http.url;
  }

  /** Spoils the next matching request(s); faults queue, the first that matches a request applies. */
  inject(kind: ScimFaultKind, options: ScimFaultOptions = {}): void {
    this.http.injectFault(toFault(kind, options));
  }

  /** Faults injected and not yet used up. */
  pendingFaults(): number {
    return this.http.pendingFaults();
  }

  /** Every request the server received through the proxy, in order. */
  requests(): ForwardedRequest[] {
    return [...this.forwarded];
  }

  /** The forwarded requests that may change something: any method but GET and HEAD, searches aside. */
  writes(): ForwardedRequest[] {
    return this.forwarded.filter(
      (request) => request.method !== 'GET' && request.method !== 'HEAD' && !SEARCH_PATH.test(request.path),
    );
  }

  /** Every request the proxy received, the faulted ones too: how often the client tried. */
  received(): ReceivedRequest[] {
    return this.http.requests.map((request) => ({
      method: request.method,
      path: relativePath(request.path),
      ...(request.fault ? { fault: request.fault as ScimFaultKind } : {}),
    }));
  }

  /** Drops pending faults (and lets hanging requests be), keeping what was recorded. */
  clearFaults(): void {
    this.http.clearFaults();
  }

  /** Forgets the requests seen and drops pending faults. */
  reset(): void {
    this.forwarded.length = 0;
    this.http.requests.length = 0;
    this.http.clearFaults();
  }

  /** Closes the proxy; hanging requests are cut. */
  close(): Promise<void> {
    return this.http.close();
  }
}

/** What reached the server, and what it answered. */
function toForwarded(request: FakeRequest, response: FakeResponse): ForwardedRequest {
  return {
    method: request.method,
    path: relativePath(request.path),
    query: [...request.query].map(([name, value]) => `${name}=${value}`).join('&'),
    ...(request.body ? { body: parseJson(request.body) } : {}),
    status: response.status,
    ...(request.fault === 'cut-after-forward' ? { answerLost: true as const } : {}),
  };
}

/** The fake parses only application/json; SCIM clients send application/scim+json. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function relativePath(path: string): string {
  return path === '/v2' || path.startsWith('/v2/') ? path.slice(3) || '/' : path;
}

function scimError(status: number, detail: string): unknown {
  return { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail };
}

function toFault(kind: ScimFaultKind, options: ScimFaultOptions): Fault {
  const fault: Fault = {
    name: kind,
    times: options.times ?? 1,
    ...(options.method ? { method: options.method } : {}),
    ...(options.path ? { path: options.path } : {}),
    ...(options.nth === undefined ? {} : { nth: options.nth }),
  };
  const type = { 'content-type': 'application/scim+json' };
  switch (kind) {
    case '429': {
      const seconds = options.retryAfterSeconds === undefined ? 1 : options.retryAfterSeconds;
      const headers = seconds === null ? type : { ...type, 'retry-after': String(seconds) };
      return { ...fault, response: { status: 429, headers, json: scimError(429, 'Too many requests') } };
    }
    case '500':
      return { ...fault, response: { status: 500, headers: type, json: scimError(500, 'Internal server error') } };
    case '503':
      return { ...fault, response: { status: 503, headers: type, json: scimError(503, 'Service unavailable') } };
    case 'hang':
      return { ...fault, action: 'hang' };
    case 'cut':
      return { ...fault, action: 'reset' };
    case 'cut-after-forward':
      return { ...fault, action: 'resetAfterHandler' };
  }
}
