import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../io/http';
import { createSecretResolver } from '../../io/secrets';
import { StreamedForm } from '../../io/streamed-form';
import type { StreamSource } from '../../io/streamed-form';
import { createAllstacksHttpClient, uploadRoster } from '../../targets/allstacks/client';
import { AllstacksTargetConfigSchema } from '../../targets/allstacks/config';
import { createImport } from '../../targets/staffbase/client';
import { ALLSTACKS_ORG_ID, ALLSTACKS_PASSWORD, ALLSTACKS_USERNAME, AllstacksFake } from '../fakes/allstacks/server';
import { staffbaseClient, staffbaseConfig } from '../fakes/staffbase/harness';
import { StaffbaseFake } from '../fakes/staffbase/server';
import { FakeHttpServer } from '../fakes/support/fake-http';

/** A roster of `rows` people, Email then two tag columns (Allstacks) or id and email (Staffbase). */
function roster(header: string, rows: number, line: (n: number) => string): Buffer {
  const lines = [header];
  for (let n = 1; n <= rows; n += 1) lines.push(line(n));
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * A file in four chunks that holds back its last chunk until the server has received the first:
 * a client that buffered the whole body before sending would never get there (the upload would
 * fail on the wait below), so an upload that succeeds was streamed. Counts how often it was opened.
 */
function streamedSource(content: Buffer, received: () => number): StreamSource & { opens: number } {
  const size = Math.ceil(content.length / 4);
  const chunks = [0, 1, 2, 3].map((n) => content.subarray(n * size, (n + 1) * size));
  const source = {
    opens: 0,
    bytes: content.length,
    async *open() {
      source.opens += 1;
      const before = received();
      for (const [index, chunk] of chunks.entries()) {
        if (index === chunks.length - 1) await arrived(() => received() - before >= size);
        yield chunk;
      }
    },
  };
  return source;
}

async function arrived(condition: () => boolean): Promise<void> {
  for (let poll = 0; poll < 500; poll += 1) {
    if (condition()) return;
    await sleep(10);
  }
  throw new Error('the server never received the start of the body before its end was produced');
}

/** The request's framing: a declared Content-Length, not chunked. */
function framing(http: FakeHttpServer) {
  const request = http.requests.at(-1)!;
  return {
    contentLength: request.headers['content-length'],
    transferEncoding: request.headers['transfer-encoding'],
  };
}

describe('uploads are streamed from the artifact, never read whole', () => {
  let allstacks: AllstacksFake;
  let staffbase: StaffbaseFake;

  beforeAll(async () => {
    allstacks = await AllstacksFake.start();
    staffbase = await StaffbaseFake.start();
  });
  afterAll(async () => {
    await allstacks.close();
    await staffbase.close();
  });

  it('Allstacks: the file streams out with a Content-Length, and the exact bytes arrive', async () => {
    const csv = roster('Email,Department,Team', 20_000, (n) => `person${n}@example.com,Engineering,Team ${n % 40}`);
    const source = streamedSource(csv, () => allstacks.http.bodyBytesReceived);
    const target = AllstacksTargetConfigSchema.parse({
      type: 'allstacks',
      baseUrl: allstacks.baseUrl,
      organizationId: ALLSTACKS_ORG_ID,
      username: ALLSTACKS_USERNAME,
      password: { env: 'ALLSTACKS_PASSWORD' },
      tags: [{ category: 'Department', field: 'department' }],
    });
    const client = await createAllstacksHttpClient(target, createSecretResolver({ ALLSTACKS_PASSWORD }));

    const result = await uploadRoster(client, target, { csv: source, fileName: 'allstacks-roster.csv' });

    expect(result).toEqual({ kind: 'uploaded', status: 200 });
    expect(source.opens).toBe(1);
    const upload = allstacks.uploads.at(-1)!;
    expect({ bytes: upload.bytes, sha256: upload.sha256 }).toEqual({ bytes: csv.length, sha256: sha256(csv) });
    const { contentLength, transferEncoding } = framing(allstacks.http);
    expect(transferEncoding).toBeUndefined();
    expect(Number(contentLength)).toBeGreaterThan(csv.length); // the file plus the form's other parts
    expect(allstacks.contributors(ALLSTACKS_ORG_ID)).toHaveLength(20_000);
  });

  it('Staffbase: the import file streams out with a Content-Length, and the exact bytes arrive', async () => {
    const csv = roster('Identifier,Email Address', 20_000, (n) => `${n},person${n}@example.com`);
    const source = streamedSource(csv, () => staffbase.http.bodyBytesReceived);
    const client = staffbaseClient(staffbaseConfig(staffbase));

    const importId = await createImport(client, { fileName: 'rosterflow-streamed.csv', csv: source });

    expect(source.opens).toBe(1);
    const stored = staffbase.importById(importId);
    expect({ bytes: stored.file.bytes, sha256: stored.file.sha256, rows: stored.recordCount }).toEqual({
      bytes: csv.length,
      sha256: sha256(csv),
      rows: 20_000,
    });
    const { contentLength, transferEncoding } = framing(staffbase.http);
    expect(transferEncoding).toBeUndefined();
    expect(Number(contentLength)).toBeGreaterThan(csv.length);
  });

  it('a request sent again opens the file again, and the whole file arrives the second time', async () => {
    const http = await FakeHttpServer.start((request) => ({
      status: 200,
      json: { received: request.multipart?.files.map((file) => file.sha256) },
    }));
    try {
      http.fail('503', { path: /^\/upload$/ });
      const csv = roster('Email', 5_000, (n) => `person${n}@example.com`);
      const source = streamedSource(csv, () => http.bodyBytesReceived);
      const form = new StreamedForm();
      form.appendFile('file', 'roster.csv', source);
      const client = createHttpClient({ vendor: 'Test', baseUrl: http.url, backoffLimitMs: 5 });

      const response = await client.request('POST', 'upload', { multipart: form });

      expect(source.opens).toBe(2);
      expect(JSON.parse(response.text)).toEqual({ received: [sha256(csv)] });
      expect(http.requests.map((request) => request.multipart?.files[0]?.bytes)).toEqual([csv.length, csv.length]);
    } finally {
      await http.close();
    }
  });

  it('fails the request, clearly, when the file is not the size it declared', async () => {
    const http = await FakeHttpServer.start(() => ({ status: 200, json: {} }));
    try {
      const form = new StreamedForm();
      form.appendFile('file', 'roster.csv', { bytes: 20, open: () => Readable.from([Buffer.from('only nine')]) });
      const client = createHttpClient({ vendor: 'Test', baseUrl: http.url, retryMethods: [] });
      await expect(client.request('POST', 'upload', { multipart: form })).rejects.toMatchObject({
        type: 'SourceUnavailable',
      });
    } finally {
      await http.close();
    }
  });
});
