import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodecRequestListener } from '../../cli/codec-http';
import {
  ENCRYPTED_ENCODING,
  createEncryptionCodec,
  payloadCodecFromEnv,
  payloadToJson,
} from '../../core/payload-codec';
import type { JsonPayload } from '../../core/payload-codec';

const key = randomBytes(32);
const codec = createEncryptionCodec(key, 'k1');
const secret = { syncId: 'acme-people', email: 'ada.lovelace@acme.example' };
const plain = (): Payload => defaultPayloadConverter.toPayload(secret);
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

async function encodeOne(payload: Payload): Promise<Payload> {
  const [encoded] = await codec.encode([payload]);
  return encoded!;
}

describe('the encryption codec', () => {
  it('round-trips a payload, keeping nothing readable on the way', async () => {
    const encoded = await encodeOne(plain());
    expect(text(encoded.metadata?.['encoding'])).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded.metadata?.['encryption-key-id'])).toBe('k1');
    expect(Object.keys(encoded.metadata ?? {}).sort()).toEqual(['encoding', 'encryption-key-id']);
    expect(text(encoded.data)).not.toContain('acme-people');
    const [decoded] = await codec.decode([encoded]);
    expect(text(decoded!.metadata?.['encoding'])).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(secret);
  });

  it('uses a fresh IV for every payload', async () => {
    const [a, b] = await codec.encode([plain(), plain()]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    expect(Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12))).toBe(false);
  });

  it('refuses a payload of another key id, naming both ids', async () => {
    const encoded = await encodeOne(plain());
    const other = createEncryptionCodec(key, 'k2');
    await expect(other.decode([encoded])).rejects.toThrow(/key id "k1".*key id "k2"/);
  });

  it('refuses a payload encrypted with another key under the same id', async () => {
    const encoded = await encodeOne(plain());
    const other = createEncryptionCodec(randomBytes(32), 'k1');
    await expect(other.decode([encoded])).rejects.toThrow(/authentication failed/);
  });

  it('refuses tampered ciphertext', async () => {
    const encoded = await encodeOne(plain());
    const data = Buffer.from(encoded.data!);
    data[20] = data[20]! ^ 0x01;
    await expect(codec.decode([{ ...encoded, data }])).rejects.toThrow(/authentication failed/);
    await expect(codec.decode([{ ...encoded, data: data.subarray(0, 10) }])).rejects.toThrow(/truncated/);
  });

  it('passes payloads that are not encrypted through decode untouched', async () => {
    const payload = plain();
    const [decoded] = await codec.decode([payload]);
    expect(decoded).toBe(payload);
  });
});

describe('payloadCodecFromEnv', () => {
  it('is undefined without a key (unset or empty)', () => {
    expect(payloadCodecFromEnv({})).toBeUndefined();
    expect(payloadCodecFromEnv({ ROSTERFLOW_PAYLOAD_KEY: '' })).toBeUndefined();
  });

  it('builds a codec from a base64 key, with the key id from the environment', async () => {
    const env = { ROSTERFLOW_PAYLOAD_KEY: key.toString('base64'), ROSTERFLOW_PAYLOAD_KEY_ID: 'k1' };
    const fromEnv = payloadCodecFromEnv(env)!;
    const [decoded] = await fromEnv.decode([await encodeOne(plain())]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(secret);
    const defaulted = payloadCodecFromEnv({ ROSTERFLOW_PAYLOAD_KEY: key.toString('base64') })!;
    const [encoded] = await defaulted.encode([plain()]);
    expect(text(encoded!.metadata?.['encryption-key-id'])).toBe('default');
  });

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['too long', randomBytes(48).toString('base64')],
    ['not base64', 'hunter2-is-my-password-and-it-is-quite-long!!'],
    ['hex', randomBytes(32).toString('hex')],
  ])('rejects a key that is %s, naming the variable and not the value', (_what, value) => {
    let message = '';
    try {
      payloadCodecFromEnv({ ROSTERFLOW_PAYLOAD_KEY: value });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('ROSTERFLOW_PAYLOAD_KEY');
    expect(message).not.toContain(value);
    expect(message).not.toContain(value.slice(0, 8));
  });
});

describe('the codec server handler', () => {
  const origin = 'http://127.0.0.1:8233';
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer(createCodecRequestListener(codec, { origin }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', origin },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('encodes then decodes the JSON the Web UI sends, with CORS headers', async () => {
    const sent = { payloads: [payloadToJson(plain())] };
    const encodedResponse = await post('/encode', sent);
    expect(encodedResponse.status).toBe(200);
    expect(encodedResponse.headers.get('access-control-allow-origin')).toBe(origin);
    const encoded = (await encodedResponse.json()) as { payloads: JsonPayload[] };
    expect(Buffer.from(encoded.payloads[0]!.metadata!['encoding']!, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    expect(JSON.stringify(encoded)).not.toContain(sent.payloads[0]!.data);

    const decodedResponse = await post('/decode', encoded);
    expect(decodedResponse.status).toBe(200);
    expect(await decodedResponse.json()).toEqual(sent);
  });

  it('answers the CORS preflight for x-namespace and content-type', async () => {
    const response = await fetch(`${base}/decode`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    const allowed = response.headers.get('access-control-allow-headers')!.toLowerCase();
    expect(allowed).toContain('x-namespace');
    expect(allowed).toContain('content-type');
  });

  it('answers bad requests with an error message, and a decode failure without the payload', async () => {
    expect((await post('/decode', 'not json')).status).toBe(400);
    expect((await post('/decode', { nope: [] })).status).toBe(400);
    expect((await post('/decode', { payloads: [{ data: 'not base64!' }] })).status).toBe(400);
    expect((await fetch(`${base}/elsewhere`, { method: 'POST' })).status).toBe(404);
    const [encoded] = await createEncryptionCodec(key, 'other').encode([plain()]);
    const response = await post('/decode', { payloads: [payloadToJson(encoded!)] });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: string }).error).toContain('key id "other"');
  });
});
