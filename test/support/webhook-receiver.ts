import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Checked as docs/alerts.md tells a receiver to: HMAC of "<timestamp>.<body>", constant-time, fresh. */
  signatureValid: boolean;
  /** The status it was answered with. */
  status: number;
}

/** A local webhook receiver on 127.0.0.1 that verifies rosterflow's signature on every request. */
export class WebhookReceiver {
  readonly requests: ReceivedWebhook[] = [];
  private readonly failures = new Map<string, { status: number; times: number }>();

  private constructor(
    private readonly server: Server,
    private readonly secret: string,
  ) {}

  static async start(secret: string): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server, secret);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        const body = Buffer.concat(chunks).toString('utf8');
        const failure = receiver.failures.get(path);
        const status = failure && failure.times > 0 ? failure.status : 200;
        if (failure) failure.times -= 1;
        const signatureValid = verify(receiver.secret, request.headers, body);
        receiver.requests.push({ path, headers: request.headers, body, signatureValid, status });
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** Answers the next `times` requests to `path` with `status`. */
  failNext(path: string, status: number, times: number): void {
    this.failures.set(path, { status, times });
  }

  receivedAt(path: string): ReceivedWebhook[] {
    return this.requests.filter((request) => request.path === path);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The verification docs/alerts.md shows a receiver, written out independently of notify/signature.ts. */
function verify(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const timestamp = headers['x-rosterflow-timestamp'];
  const signature = headers['x-rosterflow-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300;
  const same = signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
  return fresh && same;
}
