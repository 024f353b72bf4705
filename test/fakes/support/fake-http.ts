import { Buffer } from 'node:buffer';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMultipart, spoolMultipart } from './multipart';
import type { ReceivedMultipart } from './multipart';

/** A request as the fake saw it. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /**
   * The body as text; for a multipart request only its parts' headers and field values (see
   * `describeMultipart`), since file parts are streamed to disk and never held in memory.
   */
  body: string;
  /** The body parsed as JSON or as a form, when it is one. */
  json?: unknown;
  form?: URLSearchParams;
  /** A multipart/form-data body, parsed as it streamed in: fields, and files on disk (until close). */
  multipart?: ReceivedMultipart;
  /** Why a multipart body could not be parsed (a broken boundary, a cut-off body). */
  multipartError?: string;
  /** Set when a queued fault answered (or spoiled the answer to) this request: the fault's name. */
  fault?: string;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialised with `content-type: application/json`. */
  json?: unknown;
  /** Sent as it is (for malformed or truncated bodies, XML, CSV). */
  body?: string;
}

/**
 * A canned answer for matching requests: rate limits, outages, broken bodies, hangs, resets.
 * Plain faults answer instead of the vendor; `action`s shape how the connection misbehaves.
 */
export interface Fault {
  /** How many matching requests it answers (from the `nth` on, when `nth` is set). */
  times: number;
  /** The answer; unused by `hang` and `reset`, and by `truncate`, which cuts the vendor's own answer. */
  response?: FakeResponse;
  /** Only requests whose path matches; all requests when absent. */
  path?: RegExp;
  /** Only requests with this method (upper case); any method when absent. */
  method?: string;
  /**
   * Starts at the nth matching request after it was queued (1-based): `{ nth: 2, times: 1 }` spoils
   * only the second page, `{ nth: 2, times: 3 }` the second page and its next two retries.
   */
  nth?: number;
  /** Hold the answer this long (for client timeouts). */
  delayMs?: number;
  /**
   * - `hang`: never answer; the request waits until the client gives up (its timeout) or the fake closes.
   * - `truncate`: the vendor handles the request (side effects happen), its answer declares the full
   *   Content-Length but only half of it is sent before the socket is destroyed.
   * - `reset`: the connection is reset without any answer (ECONNRESET on the client).
   * - `afterHandler`: the vendor handles the request (side effects happen), then `response` replaces
   *   its answer: "processed, but the client was told it failed".
   * - `resetAfterHandler`: the vendor handles the request (side effects happen), then the connection
   *   is reset without any answer: "processed, but the client never heard".
   */
  action?: 'hang' | 'truncate' | 'reset' | 'afterHandler' | 'resetAfterHandler';
  /** Shown in `FakeRequest.fault`; defaults to the action or the status. */
  name?: string;
}

interface QueuedFault extends Fault {
  /** Matching requests seen since it was queued. */
  seen: number;
}

/** Text in every broken body the catalogue serves: an error message must never contain it. */
export const FAULT_BODY_MARKER = 'fault-body-marker-7c1e';

/** The faults a fault suite runs through; see `faultOf`. */
export const FAULT_KINDS = [
  '429',
  '429-retry-after',
  '500',
  '502',
  '503',
  'timeout',
  'truncated',
  'reset',
  'malformed-json',
  'html',
  'empty',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Where the fault applies: a path (and method), `times` matching requests (default 1), from the `nth` on. */
export interface FaultTarget {
  path?: RegExp;
  method?: string;
  times?: number;
  nth?: number;
}

/**
 * A catalogued fault as a vendor or something in front of it produces it:
 * - `429`, `429-retry-after` (`Retry-After: 1`), `500`, `502`, `503`: JSON or HTML error answers;
 * - `timeout`: no answer at all until the client gives up;
 * - `truncated`: the vendor's real answer, cut in half with a Content-Length promising all of it;
 * - `reset`: the connection reset without an answer;
 * - `malformed-json`: HTTP 200, `application/json`, a body that is not JSON;
 * - `html`: HTTP 200 with a `text/html` sign-in page (an SSO proxy or a wrong base URL);
 * - `empty`: HTTP 200, `application/json`, no body.
 */
export function faultOf(kind: FaultKind, target: FaultTarget = {}): Fault {
  const where = {
    times: target.times ?? 1,
    ...(target.path ? { path: target.path } : {}),
    ...(target.method ? { method: target.method } : {}),
    ...(target.nth === undefined ? {} : { nth: target.nth }),
    name: kind,
  };
  const html = (title: string) =>
    `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1><p>${FAULT_BODY_MARKER}</p></body></html>`;
  switch (kind) {
    case '429':
      return { ...where, response: { status: 429, json: { message: 'Too Many Requests' } } };
    case '429-retry-after':
      return { ...where, response: { status: 429, headers: { 'retry-after': '1' }, json: { message: 'Slow down' } } };
    case '500':
      return { ...where, response: { status: 500, json: { message: 'Internal Server Error' } } };
    case '502':
      return {
        ...where,
        response: { status: 502, headers: { 'content-type': 'text/html' }, body: html('502 Bad Gateway') },
      };
    case '503':
      return {
        ...where,
        response: { status: 503, headers: { 'content-type': 'text/html' }, body: html('503 Service Unavailable') },
      };
    case 'timeout':
      return { ...where, action: 'hang' };
    case 'truncated':
      return { ...where, action: 'truncate' };
    case 'reset':
      return { ...where, action: 'reset' };
    case 'malformed-json':
      return {
        ...where,
        response: {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: `{"employees": [{"id": "4001", "note": "${FAULT_BODY_MARKER}"}, {"id": `,
        },
      };
    case 'html':
      return {
        ...where,
        response: { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: html('Sign in') },
      };
    case 'empty':
      return { ...where, response: { status: 200, headers: { 'content-type': 'application/json' }, body: '' } };
  }
}

export type FakeHandler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

/**
 * A loopback HTTP server for vendor fakes: routes go to the vendor's handler; queued faults answer
 * first; every request is recorded so tests can count calls and inspect what was sent.
 */
export class FakeHttpServer {
  readonly requests: FakeRequest[] = [];
  private readonly faults: QueuedFault[] = [];
  /** Answers held open by `hang` faults, ended when the fake closes. */
  private readonly hanging = new Set<ServerResponse>();
  private readonly server: Server;
  /** `http://127.0.0.1:<port>`, set once listening. */
  url = '';
  /** Request body bytes received so far, over all requests, counted as they arrive (not when a body ends). */
  bodyBytesReceived = 0;
  /** Where multipart file parts are written; created on the first one, removed on close. */
  private spoolDirectory: Promise<string> | undefined;

  private constructor(handler: FakeHandler) {
    this.server = createServer((req, res) => void this.serve(req, res, handler));
  }

  static async start(handler: FakeHandler): Promise<FakeHttpServer> {
    const fake = new FakeHttpServer(handler);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  injectFault(fault: Fault): void {
    this.faults.push({ ...fault, seen: 0 });
  }

  /** Queues a catalogued fault (see `faultOf`), e.g. `fail('truncated', { path: /employees$/, nth: 2 })`. */
  fail(kind: FaultKind, target: FaultTarget = {}): void {
    this.injectFault(faultOf(kind, target));
  }

  /** Faults queued but not yet used up. */
  pendingFaults(): number {
    return this.faults.length;
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Requests whose path matches, e.g. the listing endpoint. */
  requestsTo(path: RegExp, method?: string): FakeRequest[] {
    return this.requests.filter((request) => path.test(request.path) && (!method || request.method === method));
  }

  /** Requests the vendor answered in full, no fault involved: what it actually served. */
  servedRequests(path?: RegExp, method?: string): FakeRequest[] {
    return this.requests.filter(
      (request) =>
        request.fault === undefined && (!path || path.test(request.path)) && (!method || request.method === method),
    );
  }

  /**
   * How often each distinct request (method, path, query, body) was served in full. A count above 1
   * means the client read the same page twice.
   */
  servedCounts(path?: RegExp, method?: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const request of this.servedRequests(path, method)) {
      const key = requestKey(request);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  /** Requests per `METHOD path`, faulted ones included. */
  countsByPath(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const request of this.requests) {
      const key = `${request.method} ${request.path}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.hanging.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
    const spooled = this.spoolDirectory;
    this.spoolDirectory = undefined;
    if (spooled) await rm(await spooled, { recursive: true, force: true });
  }

  private spoolTo(): Promise<string> {
    this.spoolDirectory ??= mkdtemp(join(tmpdir(), 'rosterflow-fake-uploads-'));
    return this.spoolDirectory;
  }

  /** The first queued fault for this request, counting the request against every fault it matches. */
  private takeFault(request: FakeRequest): QueuedFault | undefined {
    let chosen: QueuedFault | undefined;
    for (const fault of [...this.faults]) {
      if (fault.path && !fault.path.test(request.path)) continue;
      if (fault.method && fault.method !== request.method) continue;
      fault.seen += 1;
      if (chosen) continue;
      if (fault.nth !== undefined && fault.seen < fault.nth) continue;
      fault.times -= 1;
      if (fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
      chosen = fault;
    }
    return chosen;
  }

  private async answer(handler: FakeHandler, request: FakeRequest): Promise<FakeResponse> {
    try {
      return await handler(request);
    } catch (err) {
      return { status: 500, json: { message: `fake failed: ${(err as Error).message}` } };
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse, handler: FakeHandler): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: '',
    };
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      try {
        const directory = await this.spoolTo();
        request.multipart = await spoolMultipart(req, directory, (bytes) => (this.bodyBytesReceived += bytes));
        request.body = describeMultipart(request.multipart);
      } catch (err) {
        request.multipartError = (err as Error).message;
        req.resume(); // whatever is left of the body, unread
      }
    } else {
      const chunks: Buffer[] = [];
      for await (const chunk of req) {
        chunks.push(chunk as Buffer);
        this.bodyBytesReceived += (chunk as Buffer).length;
      }
      request.body = Buffer.concat(chunks).toString('utf8');
    }
    const body = request.body;
    if (type.startsWith('application/json') && body) request.json = JSON.parse(body) as unknown;
    if (type.startsWith('application/x-www-form-urlencoded')) request.form = new URLSearchParams(body);
    this.requests.push(request);

    const fault = this.takeFault(request);
    if (!fault) {
      send(res, await this.answer(handler, request));
      return;
    }
    request.fault = fault.name ?? fault.action ?? String(fault.response?.status ?? 'fault');
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    switch (fault.action) {
      case 'hang':
        // No answer: the client's timeout ends it (or the fake's close()).
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'truncate': {
        const { status, headers, payload } = serialise(await this.answer(handler, request));
        const bytes = Buffer.from(payload, 'utf8');
        res.writeHead(status, { ...headers, 'content-length': String(Math.max(bytes.length, 2)) });
        res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
        // Let the half reach the client before the connection dies mid-body.
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      case 'resetAfterHandler':
        await this.answer(handler, request);
        req.socket.resetAndDestroy();
        return;
      case 'afterHandler':
        await this.answer(handler, request);
        send(res, fault.response ?? { status: 500, json: { message: 'Internal Server Error' } });
        return;
      case undefined:
        send(res, fault.response ?? { status: 500, json: { message: 'Internal Server Error' } });
        return;
    }
  }
}

function serialise(response: FakeResponse): { status: number; headers: Record<string, string>; payload: string } {
  const headers = { ...response.headers };
  let payload = response.body ?? '';
  if (response.json !== undefined) {
    payload = JSON.stringify(response.json);
    headers['content-type'] ??= 'application/json';
  }
  return { status: response.status, headers, payload };
}

function send(res: ServerResponse, response: FakeResponse): void {
  const { status, headers, payload } = serialise(response);
  res.writeHead(status, headers);
  res.end(payload);
}

/** `METHOD path?sorted-query body`: what makes two requests the same read. */
export function requestKey(request: FakeRequest): string {
  const query = [...request.query].sort(([a], [b]) => a.localeCompare(b));
  return `${request.method} ${request.path}?${new URLSearchParams(query).toString()} ${request.body}`;
}

/** The user and password of a Basic Authorization header, or undefined. */
export function basicCredentials(request: FakeRequest): { user: string; password: string } | undefined {
  const match = /^Basic (.+)$/i.exec(request.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The token of a Bearer Authorization header, or undefined. */
export function bearerToken(request: FakeRequest): string | undefined {
  return /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
}
