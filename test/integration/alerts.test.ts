import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSync, loadConfig } from '../../config/load';
import type { AlertKind, AlertRequest } from '../../notify/alert';
import { EmailChannelSchema } from '../../notify/config';
import { sendAlertEmail } from '../../notify/email';
import type { AlertMessage } from '../../notify/message';
import type { SlackMessage } from '../../notify/slack';
import type { RunEvent, RunRecord } from '../../store/run-record';
import { freePort } from '../../tools/stack/ports';
import { sendAlerts } from '../../workflows/send-alerts';
import type { SyncRosterResult } from '../../workflows/sync-roster';
import { alertFor, runRecordFor } from '../support/alert-fixtures';
import { exampleConfig } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { SmtpReceiver } from '../support/smtp-receiver';
import { WebhookReceiver } from '../support/webhook-receiver';

const SIGNING_SECRET = `whsec-${randomUUID()}`;
const SMTP_USER = 'rosterflow-alerts';
const SMTP_PASSWORD = `smtp-${randomUUID()}`;
/** A Slack-style URL whose path is the secret: it must never show in a label, record or log. */
const SLACK_PATH = `/services/T0TEST/B0TEST/${randomUUID().replaceAll('-', '')}`;
const UI = 'http://localhost:8233';

let harness: Harness;
let webhooks: WebhookReceiver;
let smtp: SmtpReceiver;
let mongo: MongoClient;
/** Every value of the example HR export (names, emails, titles...): none may appear in an alert. */
let personalValues: string[];

beforeAll(async () => {
  webhooks = await WebhookReceiver.start(SIGNING_SECRET);
  smtp = await SmtpReceiver.start({ user: SMTP_USER, password: SMTP_PASSWORD });
  process.env['ALERTS_WEBHOOK_SECRET'] = SIGNING_SECRET;
  process.env['ALERTS_SMTP_PASSWORD'] = SMTP_PASSWORD;
  process.env['ALERTS_SLACK_URL'] = webhooks.url(SLACK_PATH);
  process.env['ALERTS_WRONG_PASSWORD'] = 'not-the-password';
  process.env['ROSTERFLOW_WEB_UI_URL'] = `${UI}/`;
  harness = await startHarness('alerts');
  mongo = await MongoClient.connect(harness.mongoUri);
  await mkdir(join(harness.dir, 'out'), { recursive: true });
  const [, ...rows] = (await readFile(join(harness.dataDir, 'acme-hr-export.csv'), 'utf8')).trim().split('\n');
  // Ids and dates are left out: short numbers and dates can occur in counts and times by chance.
  personalValues = [
    ...new Set(
      rows.flatMap((row) => row.split(',').slice(2, 12)).filter((value) => value.length > 3 && !/^[\d-]+$/.test(value)),
    ),
  ];
  await configure();
});
afterAll(async () => {
  await harness?.close();
  await mongo?.close();
  await webhooks?.close();
  await smtp?.close();
  for (const name of [
    'ALERTS_WEBHOOK_SECRET',
    'ALERTS_SMTP_PASSWORD',
    'ALERTS_WRONG_PASSWORD',
    'ALERTS_SLACK_URL',
    'ROSTERFLOW_WEB_UI_URL',
  ]) {
    delete process.env[name];
  }
});

const email = (port: number) => ({
  // The test server offers no TLS: the sign-in is allowed in clear here only.
  smtp: {
    host: '127.0.0.1',
    port,
    user: SMTP_USER,
    password: { env: 'ALERTS_SMTP_PASSWORD' },
    allowPlaintextSignIn: true,
  },
  from: 'rosterflow@acme.example',
  to: ['hr-admins@acme.example', 'it-ops@acme.example'],
});

/** Syncs of the example's CSV export, each with the alert channels one scenario needs. */
async function configure(): Promise<void> {
  const config = exampleConfig();
  const base = config.syncs[0]!;
  const sync = (id: string, notify: Record<string, unknown> | undefined) => ({
    id,
    source: base.source,
    target: { ...base.target, path: join(harness.dir, 'out', `${id}.csv`) },
    ...(notify ? { notify } : {}),
  });
  config.syncs = [
    sync('alerts-all', {
      webhooks: [
        { url: webhooks.url('/rosterflow'), secret: { env: 'ALERTS_WEBHOOK_SECRET' } },
        { url: { env: 'ALERTS_SLACK_URL' }, format: 'slack' },
      ],
      email: email(smtp.port),
    }),
    sync('alerts-flaky', {
      on: ['partial', 'failed'],
      webhooks: [{ url: webhooks.url('/flaky'), secret: { env: 'ALERTS_WEBHOOK_SECRET' } }],
    }),
    sync('alerts-dead', {
      webhooks: [{ url: `http://127.0.0.1:${await freePort()}/gone`, secret: { env: 'ALERTS_WEBHOOK_SECRET' } }],
      email: email(smtp.port),
    }),
    // Real runs of the pipeline: the workflow itself starts the alerts.
    {
      ...sync('alerts-e2e', { webhooks: [{ url: webhooks.url('/e2e'), secret: { env: 'ALERTS_WEBHOOK_SECRET' } }] }),
      source: { ...base.source, path: 'data/e2e.csv' },
      safety: { maxDeactivationPercent: 50 },
    },
    {
      ...sync('alerts-e2e-held', {
        webhooks: [{ url: webhooks.url('/e2e'), secret: { env: 'ALERTS_WEBHOOK_SECRET' } }],
      }),
      safety: { minEmployees: 100 },
    },
    {
      ...sync('alerts-e2e-dead', { webhooks: [{ url: `http://127.0.0.1:${await freePort()}/gone` }] }),
      source: { ...base.source, path: 'data/missing.csv' },
    },
    { ...sync('alerts-e2e-plain', undefined), source: { ...base.source, path: 'data/missing.csv' } },
    // Fails in resolve (its token is not set), before the run knows its notify settings.
    {
      ...sync('alerts-e2e-secret', {
        webhooks: [{ url: webhooks.url('/e2e'), secret: { env: 'ALERTS_WEBHOOK_SECRET' } }],
      }),
      source: {
        type: 'hibob',
        serviceUserId: 'SERVICE-1',
        serviceUserToken: { env: 'ALERTS_UNSET_HIBOB_TOKEN' },
      } as unknown as typeof base.source,
    },
    sync('alerts-misconfigured', {
      webhooks: [{ url: webhooks.url('/misconfigured'), secret: { env: 'ALERTS_UNSET_SECRET' } }],
      email: { ...email(smtp.port), smtp: { ...email(smtp.port).smtp, password: { env: 'ALERTS_WRONG_PASSWORD' } } },
    }),
  ];
  await harness.writeConfig(config);
}

/** A run record of `syncId` for this kind of alert, as the pipeline would have left it, in the run store. */
async function recordRun(kind: AlertKind, syncId: string): Promise<RunRecord> {
  const runId = randomUUID();
  const sync = findSync(await loadConfig(harness.configPath), syncId, harness.configPath);
  const run: RunRecord = { ...runRecordFor(kind, runId), syncId, workflowId: `${syncId}-${runId.slice(0, 8)}`, sync };
  await mongo.db(harness.dbName).collection<RunRecord>('runs').insertOne(run);
  return run;
}

function startAlerts(alert: AlertRequest) {
  const about = alert.run?.workflowId ?? `${alert.syncId}-${randomUUID().slice(0, 8)}`;
  return harness.client.workflow.start(sendAlerts, {
    taskQueue: harness.taskQueue,
    workflowId: `${about}-alert-${alert.kind}`,
    args: [{ alert }],
  });
}

async function alertEvents(runId: string): Promise<RunEvent[]> {
  return harness.store.alertDeliveries.ofRun(runId);
}

/** Nothing personal, no secret and no secret URL path in anything an alert sent or recorded. */
function expectNothingSecretOrPersonal(texts: string[]): void {
  const all = texts.join('\n');
  for (const value of [...personalValues, SIGNING_SECRET, SMTP_PASSWORD, SLACK_PATH.split('/').pop()!]) {
    expect(all, `an alert contains "${value}"`).not.toContain(value);
  }
}

describe('alerts', () => {
  it('announce a held run once on each channel: a signed JSON webhook, a Slack message and an email', async () => {
    const run = await recordRun('held', 'alerts-all');
    const before = { json: webhooks.receivedAt('/rosterflow').length, mails: smtp.received.length };
    const handle = await startAlerts(alertFor('held', run));
    await handle.result();

    const json = webhooks.receivedAt('/rosterflow').slice(before.json);
    expect(json).toHaveLength(1);
    const [hook] = json;
    expect(hook!.signatureValid).toBe(true);
    expect(hook!.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'rosterflow',
      'x-rosterflow-event': 'held',
    });
    expect(hook!.headers['x-rosterflow-delivery']).toMatch(/^[0-9a-f]{32}$/);
    const payload = JSON.parse(hook!.body) as AlertMessage;
    expect(payload).toMatchObject({
      version: 1,
      kind: 'held',
      syncId: 'alerts-all',
      run: { runId: run.runId, workflowId: run.workflowId, status: 'held', dryRun: false, trigger: 'schedule' },
      summary:
        'The scheduled people sync alerts-all is waiting for approval until 2026-03-05 01:03 UTC: 150 people would be deactivated.',
      counts: { pulled: 1200, deactivations: 150 },
      changes: { deactivated: 150, changedPercent: 13.4, unusualChangePercent: 10 },
      hold: { expiresAt: '2026-03-05T01:03:00.000Z', source: 'plan' },
      failure: null,
      stale: null,
      links: { run: `${UI}/namespaces/test-alerts/workflows/${run.workflowId}/${run.runId}/history` },
    });

    expect(payload.links.commands).toContainEqual({
      purpose: 'see who would be deactivated',
      command: 'rosterflow holds alerts-all',
    });

    const slack = webhooks.receivedAt(SLACK_PATH).filter((request) => request.body.includes(run.runId));
    expect(slack).toHaveLength(1);
    const message = JSON.parse(slack[0]!.body) as SlackMessage;
    expect(message.text).toBe(payload.summary);
    expect(message.blocks.map((block) => block.type)).toContain('section');

    const mails = smtp.received.slice(before.mails);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.to).toEqual(['hr-admins@acme.example', 'it-ops@acme.example']);
    expect(mail!.mail.subject).toBe('[rosterflow] Approval needed: People sync alerts-all would deactivate 150 people');
    expect(mail!.mail.text).toContain('To see who would be deactivated: rosterflow holds alerts-all');
    expect(mail!.mail.html).toContain('<code>rosterflow approve');

    const events = await alertEvents(run.runId);
    expect(
      events.map(({ kind, detail }) => ({ kind, detail })).sort((a, b) => a.detail.localeCompare(b.detail)),
    ).toEqual([
      { kind: 'alert-sent', detail: 'held alert sent to email (2 recipients) (attempt 1)' },
      {
        kind: 'alert-sent',
        detail: 'held alert sent to webhook 1 (127.0.0.1:' + new URL(webhooks.url('/')).port + ') (attempt 1)',
      },
      {
        kind: 'alert-sent',
        detail: 'held alert sent to webhook 2 (URL from environment variable ALERTS_SLACK_URL) (attempt 1)',
      },
    ]);
    expectNothingSecretOrPersonal([hook!.body, slack[0]!.body, mail!.raw, ...events.map((event) => event.detail)]);
  });

  it('reach a receiver that answered 500 on the retry, with the same delivery id', async () => {
    const run = await recordRun('partial', 'alerts-flaky');
    webhooks.failNext('/flaky', 500, 1);
    await (await startAlerts(alertFor('partial', run))).result();

    const tries = webhooks.receivedAt('/flaky').filter((request) => request.body.includes(run.runId));
    expect(tries.map((request) => request.status)).toEqual([500, 200]);
    expect(tries.every((request) => request.signatureValid)).toBe(true);
    expect(tries[1]!.headers['x-rosterflow-delivery']).toBe(tries[0]!.headers['x-rosterflow-delivery']);
    const payload = JSON.parse(tries[1]!.body) as AlertMessage;
    expect(payload.refused).toEqual({
      vendor: 'Staffbase',
      count: 3,
      codes: [
        { code: 'DUPLICATE_EMAIL', rows: 2 },
        { code: 'INVALID_FIELD', rows: 1 },
      ],
    });
    const events = await alertEvents(run.runId);
    expect(events.map((event) => event.kind)).toEqual(['alert-sent']);
    expect(events[0]!.detail).toMatch(/^partial alert sent to webhook 1 \(127\.0\.0\.1:\d+\) \(attempt 2\)$/);
  }, 60_000);

  it('go only to syncs whose notify.on names the kind', async () => {
    const run = await recordRun('held', 'alerts-flaky');
    await (await startAlerts(alertFor('held', run))).result();
    expect(webhooks.requests.filter((request) => request.body.includes(run.runId))).toEqual([]);
    expect(await alertEvents(run.runId)).toEqual([]);
  });

  it('record a dead receiver as alert-failed, deliver the other channels, and complete', async () => {
    const run = await recordRun('failed', 'alerts-dead');
    const handle = await startAlerts(alertFor('failed', run));
    // Eight attempts would take 21 minutes: once the first has failed, an operator cuts the retries
    // short, as `temporal activity update-options` does for a receiver known to be gone.
    await waitFor(async () => {
      const { raw } = await handle.describe();
      return (raw.pendingActivities ?? []).some(
        (activity) => activity.activityType?.name === 'sendAlert' && activity.lastFailure,
      );
    });
    await harness.client.workflowService.updateActivityOptions({
      namespace: harness.namespace,
      execution: { workflowId: handle.workflowId },
      type: 'sendAlert',
      identity: 'alerts.test',
      activityOptions: { retryPolicy: { maximumAttempts: 2 } },
      updateMask: { paths: ['retry_policy.maximum_attempts'] },
    });
    await expect(handle.result()).resolves.toBeUndefined();
    expect((await handle.describe()).status.name).toBe('COMPLETED');

    const events = await alertEvents(run.runId);
    expect(events.find((event) => event.kind === 'alert-failed')?.detail).toMatch(
      /^failed alert not delivered to webhook 1 \(127\.0\.0\.1:\d+\) after 2 attempts: could not be reached \(ECONNREFUSED\)$/,
    );
    expect(events.find((event) => event.kind === 'alert-sent')?.detail).toBe(
      'failed alert sent to email (2 recipients) (attempt 1)',
    );
    const mail = smtp.received.find((received) => received.raw.includes(run.runId));
    expect(mail?.mail.subject).toBe('[rosterflow] People sync alerts-dead failed');
    expect(mail?.mail.text).toContain('nobody was added, changed or deactivated by this run');
  }, 60_000);

  it('give up at once on a missing secret or a refused sign-in, naming neither secret', async () => {
    const run = await recordRun('failed', 'alerts-misconfigured');
    await (await startAlerts(alertFor('failed', run))).result();
    expect(webhooks.receivedAt('/misconfigured')).toEqual([]);
    const details = (await alertEvents(run.runId)).map(({ kind, detail }) => `${kind}: ${detail}`).sort();
    expect(details).toEqual([
      'alert-failed: failed alert not delivered to email (2 recipients) after 1 attempt: 127.0.0.1:' +
        `${smtp.port} refused the sign-in (SMTP 535); check notify.email.smtp.user and password; not retried`,
      'alert-failed: failed alert not delivered to webhook 1 (127.0.0.1:' +
        `${new URL(webhooks.url('/')).port}) after 1 attempt: notify.webhooks[0].secret: the secret's environment variable ALERTS_UNSET_SECRET is not set`,
    ]);
    expectNothingSecretOrPersonal(details);
    expect(details.join('\n')).not.toContain('not-the-password');
  });

  it('never send the SMTP password in clear unless the config allows it', async () => {
    const channel = EmailChannelSchema.parse({
      ...email(smtp.port),
      smtp: { ...email(smtp.port).smtp, allowPlaintextSignIn: false },
    });
    const before = smtp.received.length;
    const sent = sendAlertEmail({
      label: 'email (2 recipients)',
      channel,
      password: SMTP_PASSWORD,
      email: { subject: 'test', text: 'test', html: '<p>test</p>' },
      deliveryId: randomUUID().replaceAll('-', ''),
      timeoutMs: 5_000,
    });
    await expect(sent).rejects.toThrow(/email \(2 recipients\)/);
    await expect(sent).rejects.not.toThrow(SMTP_PASSWORD);
    expect(smtp.received.length).toBe(before);
  });

  it('announce a sync gone quiet from the config file, with no run to record it in', async () => {
    const alert: AlertRequest = { ...alertFor('stale'), syncId: 'alerts-all' };
    const before = webhooks.receivedAt('/rosterflow').length;
    await (await startAlerts(alert)).result();
    const [hook, ...more] = webhooks.receivedAt('/rosterflow').slice(before);
    expect(more).toEqual([]);
    expect(hook!.signatureValid).toBe(true);
    expect(hook!.headers['x-rosterflow-event']).toBe('stale');
    expect(JSON.parse(hook!.body)).toMatchObject({
      kind: 'stale',
      run: null,
      stale: alert.stale,
      links: { run: null },
      summary:
        'The scheduled people sync alerts-all has not succeeded since 2026-02-27 01:04 UTC; a successful run was due by 2026-03-02 03:00 UTC.',
    });
  });

  it('of a real run carry its counts and no one’s personal data', async () => {
    const result = (await harness.client.workflow.execute('syncRoster', {
      taskQueue: harness.taskQueue,
      workflowId: `alerts-all-${randomUUID().slice(0, 8)}`,
      args: [{ syncId: 'alerts-all', dryRun: true }],
    })) as SyncRosterResult;
    const run = (await harness.store.runs.get(result.runId))!;
    const before = { hooks: webhooks.requests.length, mails: smtp.received.length };
    await (await startAlerts(alertFor('unusual-change', run))).result();

    const hooks = webhooks.requests.slice(before.hooks);
    const mails = smtp.received.slice(before.mails);
    expect(hooks).toHaveLength(2);
    expect(mails).toHaveLength(1);
    const payload = JSON.parse(hooks.find((request) => request.path === '/rosterflow')!.body) as AlertMessage;
    expect(payload.run).toMatchObject({ runId: run.runId, dryRun: true, status: 'succeeded' });
    expect(payload.counts).toMatchObject({ pulled: result.pulled, rendered: result.rendered });
    expectNothingSecretOrPersonal([...hooks.map((request) => request.body), mails[0]!.raw]);
  });
});

describe('alerts of real sync runs', () => {
  const startSync = (syncId: string) =>
    harness.client.workflow.start('syncRoster', {
      taskQueue: harness.taskQueue,
      workflowId: `${syncId}-${randomUUID().slice(0, 8)}`,
      args: [{ syncId, dryRun: false }],
    });
  /** The /e2e alerts about one run, as the receiver verified them. */
  const alertsOf = (runId: string) =>
    webhooks.receivedAt('/e2e').filter((request) => (JSON.parse(request.body) as AlertMessage).run?.runId === runId);
  const kindsOf = (runId: string) => alertsOf(runId).map((request) => request.headers['x-rosterflow-event']);

  it('fire once per event, signed: an unusual change, a failure, a hold and its rejection', async () => {
    const exportPath = join(harness.dataDir, 'e2e.csv');
    const original = await readFile(join(harness.dataDir, 'acme-hr-export.csv'), 'utf8');
    await writeFile(exportPath, original);
    const first = await startSync('alerts-e2e');
    await first.result();
    // Three of nine people changed (33%, over the default 10%): a leaver, a moved department, a hire.
    const changed = original
      .replace(',Active,2020-01-15,,', ',Terminated,2020-01-15,2026-12-04,')
      .replace(',Principal Analyst,Research,', ',Principal Analyst,Flight Research,')
      .concat(
        '1011,E-011,Mary,Jackson,,mary.jackson@acme.example,Active,2026-12-01,,Engineer,Engineering,Hampton,,Wind\n',
      );
    await writeFile(exportPath, changed);
    const unusual = await startSync('alerts-e2e');
    const unusualResult = (await unusual.result()) as SyncRosterResult;
    expect(unusualResult.status).toBe('succeeded');
    await waitFor(() => Promise.resolve(alertsOf(unusualResult.runId).length > 0));

    await rm(exportPath);
    const failing = await startSync('alerts-e2e');
    await expect(failing.result()).rejects.toThrow();
    const failedRunId = failing.firstExecutionRunId;
    await waitFor(() => Promise.resolve(alertsOf(failedRunId).length > 0));

    const held = await startSync('alerts-e2e-held');
    await waitFor(() => Promise.resolve(alertsOf(held.firstExecutionRunId).length > 0));
    await held.executeUpdate('decideHold', { args: [{ approve: false, by: 'hr-ops', reason: 'checking' }] });
    await expect(held.result()).rejects.toThrow();
    await waitFor(() => Promise.resolve(alertsOf(held.firstExecutionRunId).length > 1));

    // Late duplicates would have arrived by now.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(kindsOf(first.firstExecutionRunId)).toEqual([]);
    expect(kindsOf(unusualResult.runId)).toEqual(['unusual-change']);
    expect(kindsOf(failedRunId)).toEqual(['failed']);
    expect(kindsOf(held.firstExecutionRunId)).toEqual(['held', 'failed']);
    for (const runId of [unusualResult.runId, failedRunId, held.firstExecutionRunId])
      for (const request of alertsOf(runId)) expect(request.signatureValid).toBe(true);
    const payload = JSON.parse(alertsOf(unusualResult.runId)[0]!.body) as AlertMessage;
    expect(payload.changes).toMatchObject({ added: 1, changed: 1, deactivated: 1, changedPercent: 33.3 });
    expectNothingSecretOrPersonal(webhooks.receivedAt('/e2e').map((request) => request.body));
  });

  it('announce a run that failed before resolving its sync (a missing secret)', async () => {
    const run = await startSync('alerts-e2e-secret');
    await expect(run.result()).rejects.toThrow();
    await waitFor(() => Promise.resolve(alertsOf(run.firstExecutionRunId).length > 0));
    const [alert] = alertsOf(run.firstExecutionRunId);
    expect(alert!.signatureValid).toBe(true);
    expect(JSON.parse(alert!.body)).toMatchObject({ kind: 'failed', failure: { type: 'SecretUnavailable' } });
  });

  it('to a dead receiver change nothing about how the sync ends, nor when', async () => {
    const plain = await startSync('alerts-e2e-plain');
    const plainFailure = await plain.result().then(
      () => undefined,
      (err: unknown) => err,
    );
    const dead = await startSync('alerts-e2e-dead');
    const started = Date.now();
    const deadFailure = await dead.result().then(
      () => undefined,
      (err: unknown) => err,
    );
    // The run ends as the same sync without alerts does, without waiting out the alert's retries.
    const causeOf = (err: unknown) => (err as { cause?: { type?: string; message?: string } }).cause ?? {};
    expect(causeOf(deadFailure).type).toBe(causeOf(plainFailure).type);
    expect(causeOf(deadFailure).type).toBeDefined();
    expect(Date.now() - started).toBeLessThan(20_000);
    const alert = harness.client.workflow.getHandle(`${dead.workflowId}-${dead.firstExecutionRunId}-alert-failed`);
    expect((await alert.describe()).status.name).toBe('RUNNING');
    await alert.terminate('test over: the receiver is gone for good');
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
