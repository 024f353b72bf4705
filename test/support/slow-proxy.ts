import { FakeHttpServer } from '../fakes/support/fake-http';
import type { FakeRequest, FakeResponse } from '../fakes/support/fake-http';

/** Hop-by-hop and length headers the proxy must not copy (fetch sets its own). */
const SKIPPED_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/**
 * A loopback HTTP proxy in front of a vendor fake that holds matching requests for `delayMs` before
 * forwarding them: a slow source, so a run is still extracting when a test pulls a server away.
 */
export class SlowProxy {
  private constructor(
    readonly http: FakeHttpServer,
    private readonly settings: { delayMs: number },
  ) {}

  static async start(upstream: string, slowPath: RegExp, delayMs: number): Promise<SlowProxy> {
    const settings = { delayMs };
    const http = await FakeHttpServer.start(async (request) => {
      if (settings.delayMs > 0 && slowPath.test(request.path)) {
        await new Promise((resolve) => setTimeout(resolve, settings.delayMs));
      }
      return forward(upstream, request);
    });
    return new SlowProxy(http, settings);
  }

  /** Requests matching the slow path are held this long; 0 forwards at once. */
  get delayMs(): number {
    return this.settings.delayMs;
  }

  set delayMs(value: number) {
    this.settings.delayMs = value;
  }

  get url(): string {
    return this.http.url;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

/** Sends `request` on to `upstream` (an origin) and returns its answer as the fake's. */
export async function forward(upstream: string, request: FakeRequest): Promise<FakeResponse> {
  const query = request.query.toString();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || SKIPPED_HEADERS.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const response = await fetch(`${upstream}${request.path}${query ? `?${query}` : ''}`, {
    method: request.method,
    headers,
    ...(request.method === 'GET' || request.method === 'HEAD' ? {} : { body: request.body }),
  });
  const responseHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!SKIPPED_HEADERS.has(name) && name !== 'content-encoding') responseHeaders[name] = value;
  });
  return { status: response.status, headers: responseHeaders, body: await response.text() };
}
