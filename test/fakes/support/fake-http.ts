import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fake saw it. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  /** The body parsed as JSON or as a form, when it is one. */
  json?: unknown;
  form?: URLSearchParams;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialised with `content-type: application/json`. */
  json?: unknown;
  /** Sent as it is (for malformed or truncated bodies, XML, CSV). */
  body?: string;
}

/** A canned answer for the next matching requests: rate limits, outages, broken bodies. */
export interface Fault {
  times: number;
  response: FakeResponse;
  /** Only requests whose path matches; all requests when absent. */
  path?: RegExp;
  /** Hold the answer this long (for client timeouts). */
  delayMs?: number;
}

export type FakeHandler = (request: FakeRequest) => FakeResponse | Promise<FakeResponse>;

/**
 * A loopback HTTP server for vendor fakes: routes go to the vendor's handler; queued faults answer
 * first; every request is recorded so tests can count calls and inspect what was sent.
 */
export class FakeHttpServer {
  readonly requests: FakeRequest[] = [];
  private readonly faults: Fault[] = [];
  private readonly server: Server;
  /** `http://127.0.0.1:<port>`, set once listening. */
  url = '';

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
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Requests whose path matches, e.g. the listing endpoint. */
  requestsTo(path: RegExp): FakeRequest[] {
    return this.requests.filter((request) => path.test(request.path));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse, handler: FakeHandler): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('application/json') && body) request.json = JSON.parse(body) as unknown;
    if (type.startsWith('application/x-www-form-urlencoded')) request.form = new URLSearchParams(body);
    this.requests.push(request);

    let response: FakeResponse;
    const fault = this.faults.find((candidate) => !candidate.path || candidate.path.test(request.path));
    if (fault) {
      fault.times -= 1;
      if (fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      response = fault.response;
    } else {
      try {
        response = await handler(request);
      } catch (err) {
        response = { status: 500, json: { message: `fake failed: ${(err as Error).message}` } };
      }
    }
    const headers = { ...response.headers };
    let payload = response.body ?? '';
    if (response.json !== undefined) {
      payload = JSON.stringify(response.json);
      headers['content-type'] ??= 'application/json';
    }
    res.writeHead(response.status, headers);
    res.end(payload);
  }
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
