import { createServer } from 'node:http';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { PayloadCodec } from '@temporalio/common';
import { payloadFromJson, payloadToJson } from '../core/payload-codec';

/** Larger than any payload the server accepts (2 MB each) times a few per request. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

class BadRequest extends Error {}

/**
 * The codec endpoint the Temporal Web UI (and `temporal --codec-endpoint`) call: POST /encode and
 * POST /decode with `{ payloads: [...] }` in proto JSON (metadata values and data in base64), CORS
 * for the UI's origin. Payloads are never logged; errors answer with a message only.
 */
export function createCodecRequestListener(codec: PayloadCodec, options: { origin: string }): RequestListener {
  return (req, res) => {
    void handle(codec, options.origin, req, res);
  };
}

async function handle(codec: PayloadCodec, origin: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'x-namespace, content-type');
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  res.setHeader('Vary', 'Origin');
  const path = (req.url ?? '').split('?')[0];
  if (req.method === 'OPTIONS') {
    res.writeHead(204).end();
    return;
  }
  if (path !== '/encode' && path !== '/decode') {
    reply(res, 404, { error: 'Not found: use POST /encode or POST /decode' });
    return;
  }
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST, OPTIONS');
    reply(res, 405, { error: 'Method not allowed: use POST' });
    return;
  }
  try {
    const payloads = parsePayloads(await readBody(req));
    const converted = path === '/encode' ? await codec.encode(payloads) : await codec.decode(payloads);
    reply(res, 200, { payloads: converted.map(payloadToJson) });
  } catch (err) {
    const message = err instanceof Error ? err.message : 'failed';
    reply(res, err instanceof BadRequest ? 400 : 500, { error: message });
  }
}

function parsePayloads(body: string) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new BadRequest('The body is not JSON');
  }
  const payloads = (parsed as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(payloads)) throw new BadRequest('The body must be {"payloads": [...]}');
  try {
    return payloads.map(payloadFromJson);
  } catch (err) {
    throw new BadRequest(err instanceof Error ? err.message : 'A payload is not valid');
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BadRequest('The body is too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** Serves the codec endpoint on `host:port` until `close` is called. */
export async function startCodecEndpoint(
  codec: PayloadCodec,
  options: { host: string; port: number; origin: string },
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(createCodecRequestListener(codec, { origin: options.origin }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return {
    url: `http://${options.host}:${options.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
