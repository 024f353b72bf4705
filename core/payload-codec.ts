import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { readSetting } from './env';
import { RosterflowError } from './errors';

export const PAYLOAD_KEY_ENV = 'ROSTERFLOW_PAYLOAD_KEY';
export const PAYLOAD_KEY_ID_ENV = 'ROSTERFLOW_PAYLOAD_KEY_ID';
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA_KEY = 'encryption-key-id';

const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts every payload that goes to the Temporal server with AES-256-GCM: a fresh random IV per
 * payload, the key id bound in as associated data. The whole original payload (metadata and data)
 * is encrypted, so the server only sees `binary/encrypted` and the key id. Runs outside the
 * workflow sandbox (client and worker), never in workflow code.
 */
export function createEncryptionCodec(key: Buffer, keyId: string): PayloadCodec {
  if (key.length !== 32) throw new Error('The payload encryption key must be 32 bytes (AES-256)');
  const keyIdBytes = Buffer.from(keyId, 'utf8');
  return {
    encode(payloads: Payload[]): Promise<Payload[]> {
      return new Promise((resolve) =>
        resolve(
          payloads.map((payload) => {
            const plain = Buffer.from(JSON.stringify(payloadToJson(payload)), 'utf8');
            const iv = randomBytes(IV_BYTES);
            const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
            cipher.setAAD(keyIdBytes);
            const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
            return {
              metadata: {
                [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING, 'utf8'),
                [KEY_ID_METADATA_KEY]: keyIdBytes,
              },
              data: sealed,
            };
          }),
        ),
      );
    },
    decode(payloads: Payload[]): Promise<Payload[]> {
      // A failure rejects the promise rather than throwing from the call.
      return new Promise((resolve) => resolve(payloads.map((payload) => decodeOne(payload, key, keyId))));
    },
  };
}

function decodeOne(payload: Payload, key: Buffer, keyId: string): Payload {
  if (metadataText(payload, METADATA_ENCODING_KEY) !== ENCRYPTED_ENCODING) return payload;
  const payloadKeyId = metadataText(payload, KEY_ID_METADATA_KEY);
  if (payloadKeyId !== keyId) {
    throw new Error(
      `Cannot decrypt a payload encrypted with key id "${payloadKeyId ?? '(none)'}": this process has key id "${keyId}" (${PAYLOAD_KEY_ID_ENV})`,
    );
  }
  const sealed = Buffer.from(payload.data ?? new Uint8Array());
  if (sealed.length < IV_BYTES + TAG_BYTES) {
    throw new Error(`Cannot decrypt a payload with key id "${keyId}": the encrypted data is truncated`);
  }
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(keyId, 'utf8'));
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new Error(
      `Cannot decrypt a payload with key id "${keyId}": authentication failed (wrong key for this key id, or the data was altered)`,
    );
  }
  return payloadFromJson(JSON.parse(plain.toString('utf8')));
}

/** A payload in proto JSON form, as the Web UI and `temporal` send it: metadata values and data in base64. */
export interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

// The SDK has payloadToJSON/JSONToPayload in @temporalio/common/lib/proto-utils, but in 1.24.0 they
// throw "type must be a Type" (two protobufjs copies), so the two fields are converted here.
export function payloadToJson(payload: Payload): JsonPayload {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([name, value]) => [name, Buffer.from(value).toString('base64')]),
  );
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}

export function payloadFromJson(json: unknown): Payload {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new TypeError('A payload must be an object');
  const { metadata, data } = json as Record<string, unknown>;
  if (metadata !== undefined && metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata))) {
    throw new TypeError("A payload's metadata must be an object");
  }
  const entries = Object.entries((metadata ?? {}) as Record<string, unknown>).map(
    ([name, value]) => [name, base64Bytes(value, `metadata.${name}`)] as const,
  );
  return {
    metadata: Object.fromEntries(entries),
    data: data === undefined || data === null ? new Uint8Array() : base64Bytes(data, 'data'),
  };
}

function base64Bytes(value: unknown, field: string): Uint8Array {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) {
    throw new TypeError(`A payload's ${field} must be base64`);
  }
  return new Uint8Array(Buffer.from(value, 'base64'));
}

function metadataText(payload: Payload, name: string): string | undefined {
  const value = payload.metadata?.[name];
  return value ? Buffer.from(value).toString('utf8') : undefined;
}

/**
 * The encryption codec ROSTERFLOW_PAYLOAD_KEY (base64 of 32 bytes) and ROSTERFLOW_PAYLOAD_KEY_ID
 * (default `default`) describe, or undefined when no key is set. A malformed key is an error that
 * names the variable, never its value.
 */
export function payloadCodecFromEnv(env: NodeJS.ProcessEnv = process.env): PayloadCodec | undefined {
  const encoded = readSetting(env, PAYLOAD_KEY_ENV);
  if (encoded === undefined) return undefined;
  const trimmed = encoded.trim();
  const key = Buffer.from(trimmed, 'base64');
  // Buffer.from ignores characters outside the alphabet, so check the text round-trips.
  const canonical = key.toString('base64');
  if (key.length !== 32 || canonical.replace(/=+$/, '') !== trimmed.replace(/=+$/, '')) {
    throw new RosterflowError(
      'InvalidConfig',
      `${PAYLOAD_KEY_ENV} must be 32 random bytes in base64 (44 characters, e.g. from \`openssl rand -base64 32\`)`,
    );
  }
  return createEncryptionCodec(key, readSetting(env, PAYLOAD_KEY_ID_ENV) ?? 'default');
}

/** The data converter for a client or worker: the payload codec from the environment, if any. */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  const codec = payloadCodecFromEnv(env);
  return codec ? { payloadCodecs: [codec] } : undefined;
}
