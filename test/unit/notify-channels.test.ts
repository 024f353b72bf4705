import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelLabel, channelsFor, channelsOf, deliveryId } from '../../notify/channels';
import { NotifyConfigSchema } from '../../notify/config';
import { signatureHeader, verifySignature } from '../../notify/signature';
import { postWebhook } from '../../notify/webhook';
import { freePort } from '../../tools/stack/ports';
import { alertFor } from '../support/alert-fixtures';

const SLACK_PATH = '/services/T0AAAAAAA/B0BBBBBBB/abcdefSECRETghijkl';

describe('the webhook signature', () => {
  it('is the hex HMAC-SHA256 of "<timestamp>.<body>", computed independently here', () => {
    const body = '{"version":1,"kind":"failed"}';
    const expected = createHmac('sha256', 'shh').update(`1767225600.${body}`).digest('hex');
    expect(signatureHeader('shh', '1767225600', body)).toBe(`sha256=${expected}`);
  });

  it('verifies only the same secret, body and a recent timestamp', () => {
    const body = '{"a":1}';
    const signature = signatureHeader('shh', '1000', body);
    expect(verifySignature('shh', { body, timestamp: '1000', signature }, 1100)).toBe(true);
    expect(verifySignature('other', { body, timestamp: '1000', signature }, 1100)).toBe(false);
    expect(verifySignature('shh', { body: '{"a":2}', timestamp: '1000', signature }, 1100)).toBe(false);
    expect(verifySignature('shh', { body, timestamp: '1001', signature }, 1100)).toBe(false);
    expect(verifySignature('shh', { body, timestamp: '1000', signature }, 1000 + 301)).toBe(false);
    expect(verifySignature('shh', { body, timestamp: '1000', signature: 'sha256=00' }, 1100)).toBe(false);
    expect(verifySignature('shh', { body, timestamp: undefined, signature }, 1100)).toBe(false);
  });
});

describe('alert channels', () => {
  const notify = NotifyConfigSchema.parse({
    on: ['failed', 'held'],
    webhooks: [
      { url: `https://hooks.slack.com${SLACK_PATH}`, format: 'slack' },
      { url: 'https://user:password@alerts.example.com:8443/rosterflow?token=abc', secret: { env: 'RF_HOOK_SECRET' } },
      { url: { env: 'TEAMS_WEBHOOK_URL' } },
    ],
    email: {
      smtp: { host: 'smtp.example.com', password: { env: 'SMTP_PASSWORD' } },
      from: 'rf@example.com',
      to: ['hr@example.com', 'it@example.com'],
    },
  });

  it('are labelled by host, by where a secret URL is read from, and by the number of recipients', () => {
    expect(channelsFor(notify, 'failed')).toEqual([
      { index: 0, label: 'webhook 1 (hooks.slack.com)' },
      { index: 1, label: 'webhook 2 (alerts.example.com:8443)' },
      { index: 2, label: 'webhook 3 (URL from environment variable TEAMS_WEBHOOK_URL)' },
      { index: 3, label: 'email (2 recipients)' },
    ]);
  });

  it('never put a URL path, query, user info, secret or address in a label', () => {
    const labels = channelsOf(notify).map(channelLabel).join('\n');
    for (const secret of [
      'services',
      'SECRET',
      'rosterflow',
      'token',
      'abc',
      'user',
      'password',
      'hr@example.com',
      'smtp.example.com',
    ]) {
      expect(labels).not.toContain(secret);
    }
  });

  it('take only the kinds in notify.on', () => {
    expect(channelsFor(notify, 'partial')).toEqual([]);
    expect(channelsFor(undefined, 'failed')).toEqual([]);
    expect(channelsFor(NotifyConfigSchema.parse({ email: notify.email }), 'stale')).toEqual([
      { index: 0, label: 'email (2 recipients)' },
    ]);
  });

  it('give each alert and channel one delivery id, the same on every retry', () => {
    const failed = alertFor('failed');
    const id = deliveryId(failed, 'wf-alert-failed', 0);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(deliveryId(structuredClone(failed), 'wf-alert-failed', 0)).toBe(id);
    expect(deliveryId(failed, 'wf-alert-failed', 1)).not.toBe(id);
    expect(deliveryId({ ...failed, kind: 'held' }, 'wf-alert-failed', 0)).not.toBe(id);
    // A second hold of the same run is another event: its own workflow, its own id.
    const held = alertFor('held');
    expect(deliveryId(held, 'wf-alert-held-2', 0)).not.toBe(deliveryId(held, 'wf-alert-held', 0));
  });
});

describe('a webhook delivery', () => {
  let answer: { status: number; headers?: Record<string, string> } = { status: 200 };
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(answer.status, answer.headers).end('echo: secret data'));
  });
  let base: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (url: string) =>
    postWebhook({
      label: 'webhook 1 (127.0.0.1)',
      url,
      body: '{}',
      event: 'failed',
      deliveryId: 'd1',
      secret: 'shh',
      timeoutMs: 2000,
    });
  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail('expected a failure'),
      (err: unknown) => {
        expect(err).toBeInstanceOf(ApplicationFailure);
        return err as ApplicationFailure;
      },
    );
  const safe = (failure: ApplicationFailure) => {
    for (const secret of ['services', 'SECRET', 'shh', 'echo', '{}']) expect(failure.message).not.toContain(secret);
  };

  it('succeeds on a 2xx', async () => {
    answer = { status: 204 };
    await expect(post(`${base}${SLACK_PATH}`)).resolves.toEqual({ status: 204 });
  });

  it.each([500, 502, 503, 408])('is retried after HTTP %i, named by its label and status only', async (status) => {
    answer = { status };
    const failure = await failureOf(post(`${base}${SLACK_PATH}`));
    expect(failure).toMatchObject({
      type: 'AlertUndelivered',
      nonRetryable: false,
      message: `webhook 1 (127.0.0.1) answered HTTP ${status}`,
    });
    safe(failure);
  });

  it('follows a 429 Retry-After as the next retry delay', async () => {
    answer = { status: 429, headers: { 'retry-after': '120' } };
    const failure = await failureOf(post(`${base}${SLACK_PATH}`));
    expect(failure).toMatchObject({ type: 'AlertUndelivered', nonRetryable: false, nextRetryDelay: 120_000 });
  });

  it.each([400, 401, 404, 410])('is not retried after HTTP %i', async (status) => {
    answer = { status };
    const failure = await failureOf(post(`${base}${SLACK_PATH}`));
    expect(failure).toMatchObject({
      type: 'AlertRefused',
      nonRetryable: true,
      message: `webhook 1 (127.0.0.1) answered HTTP ${status}; not retried`,
    });
    safe(failure);
  });

  it('is retried when nothing listens, without naming the URL', async () => {
    const failure = await failureOf(post(`http://127.0.0.1:${await freePort()}${SLACK_PATH}`));
    expect(failure).toMatchObject({
      type: 'AlertUndelivered',
      nonRetryable: false,
      message: 'webhook 1 (127.0.0.1) could not be reached (ECONNREFUSED)',
    });
    safe(failure);
  });
});
