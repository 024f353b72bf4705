import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCRYPTED_ENCODING, createEncryptionCodec } from '../../core/payload-codec';
import type { SyncRosterResult } from '../../workflows/sync-roster';
import { exampleConfig } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { SYNC_ID_HEADER } from '../../workflows/log-context';
import { RUN_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

let harness: Harness;

beforeAll(async () => {
  const codec = createEncryptionCodec(randomBytes(32), 'test-key');
  harness = await startHarness('codec', { dataConverter: { payloadCodecs: [codec] } });
  await mkdir(join(harness.dir, 'out'), { recursive: true });
  const config = exampleConfig();
  config.syncs[0]!.target.path = join(harness.dir, 'out', 'acme-people.csv');
  await harness.writeConfig(config);
});
afterAll(() => harness.close());

interface StoredPayload {
  metadata?: Record<string, Uint8Array>;
  data?: Uint8Array;
}

/** Every payload object in a fetched history, wherever it sits. */
function payloadsIn(value: unknown, found: StoredPayload[] = []): StoredPayload[] {
  if (Array.isArray(value)) {
    for (const item of value) payloadsIn(item, found);
  } else if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const record = value as Record<string, unknown>;
    if (record['metadata'] && typeof record['metadata'] === 'object' && 'data' in record) {
      found.push(record);
    } else {
      for (const child of Object.values(record)) payloadsIn(child, found);
    }
  }
  return found;
}

describe('syncRoster with the encryption codec', () => {
  it('runs, sends the server only encrypted payloads, and the client still reads the result', async () => {
    const handle = await harness.client.workflow.start('syncRoster', {
      taskQueue: harness.taskQueue,
      workflowId: `codec-${Math.random().toString(36).slice(2)}`,
      args: [{ syncId: 'acme-people' }],
    });
    const result = (await handle.result()) as SyncRosterResult;
    expect(result).toMatchObject({ syncId: 'acme-people', pulled: 10, rendered: 9, dryRun: false });

    const history = await handle.fetchHistory();
    // Temporal's bookkeeping of a `patched(...)` (workflow code): its marker and the TemporalChangeVersion
    // search attribute are written by the SDK's core without the codec (search attributes must stay
    // readable to the server); they hold the patch's name and nothing of the run's data.
    const events = history.events ?? [];
    const isPatchMarker = (event: (typeof events)[number]) =>
      event.markerRecordedEventAttributes?.markerName === 'core_patch' ||
      Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).join() ===
        'TemporalChangeVersion';
    const markers = payloadsIn(events.filter(isPatchMarker));
    expect(markers.length).toBeGreaterThan(0);
    for (const marker of markers) {
      expect(Buffer.from(marker.data ?? []).toString('utf8')).toMatch(
        /^("[a-z-]+"|true|false|\{"id":"[a-z-]+"[^}]*\}|\["[a-z-]+"(,"[a-z-]+")*\])$/,
      );
    }
    // rosterflow's own search attributes (workflows/search-attributes.ts) stay readable to the server
    // too, which indexes them: ids, types and a status, nothing of the roster.
    const isRunAttributes = (event: (typeof events)[number]) => {
      const fields = Object.keys(
        event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {},
      );
      return fields.length > 0 && fields.every((field) => RUN_SEARCH_ATTRIBUTES.some((key) => key.name === field));
    };
    const attributeValues = payloadsIn(events.filter(isRunAttributes)).map((payload) =>
      Buffer.from(payload.data ?? []).toString('utf8'),
    );
    expect(attributeValues).toEqual(
      expect.arrayContaining(['"acme-people"', '"csv"', '"csv-file"', '"manual"', 'false', '"running"', '"succeeded"']),
    );
    for (const value of attributeValues) expect(value).toMatch(/^("[a-z-]+"|true|false)$/);
    // So is the header naming the sync on each activity (workflows/log-context.ts, for the worker's
    // log lines): headers do not go through the codec.
    const headers = events.flatMap((event) => {
      const fields = event.activityTaskScheduledEventAttributes?.header?.fields;
      return fields ? [fields] : [];
    });
    expect(headers.length).toBeGreaterThan(0);
    for (const fields of headers) {
      expect(Object.keys(fields)).toEqual([SYNC_ID_HEADER]);
      expect(Buffer.from(fields[SYNC_ID_HEADER]!.data ?? []).toString('utf8')).toBe('"acme-people"');
    }
    const withoutHeaders = events.map((event) =>
      event.activityTaskScheduledEventAttributes
        ? {
            ...event,
            activityTaskScheduledEventAttributes: { ...event.activityTaskScheduledEventAttributes, header: null },
          }
        : event,
    );
    const payloads = payloadsIn(withoutHeaders.filter((event) => !isPatchMarker(event) && !isRunAttributes(event)));
    // The input, every activity's input and result, and the workflow's result at least.
    expect(payloads.length).toBeGreaterThanOrEqual(4);
    for (const payload of payloads) {
      expect(Buffer.from(payload.metadata!['encoding']!).toString()).toBe(ENCRYPTED_ENCODING);
    }
    const asPlainText = payloads.map((payload) => Buffer.from(payload.data ?? []).toString('utf8')).join('\n');
    const historyJson = JSON.stringify(history);
    for (const readable of ['acme-people', 'acme-people.csv', 'json/plain']) {
      expect(asPlainText).not.toContain(readable);
      expect(historyJson).not.toContain(readable);
    }

    // A client without the key sees only the ciphertext.
    const plainClient = new Client({ connection: harness.client.connection, namespace: harness.namespace });
    const undecoded = await plainClient.workflow
      .getHandle(handle.workflowId)
      .result()
      .then(
        () => 'decoded',
        (err: unknown) => err,
      );
    expect(undecoded).not.toBe('decoded');
  });
});
