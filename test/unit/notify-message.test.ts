import { describe, expect, it } from 'vitest';
import { ALERT_KINDS } from '../../notify/alert';
import type { AlertKind } from '../../notify/alert';
import { renderAlertEmail } from '../../notify/email-text';
import { runHistoryUrl } from '../../notify/links';
import { buildAlertMessage } from '../../notify/message';
import type { AlertMessage } from '../../notify/message';
import { renderSlackMessage } from '../../notify/slack';
import { alertFor, runRecordFor } from '../support/alert-fixtures';

const SENT_AT = new Date('2026-03-02T01:05:00.000Z');
const UI = 'http://localhost:8233';

function messageFor(kind: AlertKind): AlertMessage {
  const run = runRecordFor(kind);
  const alert = alertFor(kind, run);
  return buildAlertMessage({
    alert,
    run: kind === 'stale' ? null : run,
    unusualChangePercent: 10,
    ...(alert.run ? { runUrl: runHistoryUrl(UI, 'default', alert.run) } : {}),
    sentAt: SENT_AT,
  });
}

describe('the JSON alert (payload version 1)', () => {
  it.each(ALERT_KINDS)('%s has every key, the same order, and its own sections', (kind) => {
    const message = messageFor(kind);
    expect(Object.keys(message)).toEqual([
      'version',
      'kind',
      'syncId',
      'run',
      'summary',
      'counts',
      'changes',
      'failure',
      'hold',
      'refused',
      'stale',
      'links',
      'sentAt',
    ]);
    expect(message).toMatchObject({ version: 1, kind, syncId: 'acme-people', sentAt: SENT_AT.toISOString() });
    expect(message.failure !== null).toBe(kind === 'failed');
    expect(message.hold !== null).toBe(kind === 'held');
    expect(message.refused !== null).toBe(kind === 'partial');
    expect(message.stale !== null).toBe(kind === 'stale');
    expect(message.run !== null).toBe(kind !== 'stale');
    expect(message.links.commands.length).toBeGreaterThan(0);
  });

  it('links the run in the Web UI and carries its ids, counts and the change report without its attempt', () => {
    const message = messageFor('unusual-change');
    expect(message.links.run).toBe(
      'http://localhost:8233/namespaces/default/workflows/acme-people-nightly-42/run-1/history',
    );
    expect(message.run).toEqual({
      runId: 'run-1',
      workflowId: 'acme-people-nightly-42',
      dryRun: false,
      trigger: 'schedule',
      status: 'succeeded',
      startedAt: '2026-03-02T01:00:00.000Z',
      finishedAt: '2026-03-02T01:04:00.000Z',
    });
    expect(message.counts).toEqual({
      pulled: 1200,
      rejected: 0,
      rendered: 1180,
      filteredOut: 20,
      renderRejected: 0,
      deactivations: 12,
    });
    expect(message.changes).toEqual({
      baselineRunId: 'run-0',
      baselineDelivered: 1190,
      added: 140,
      changed: 310,
      deactivated: 12,
      unchanged: 728,
      deactivatedBy: { left: 10, inactive: 2 },
      changedPercent: 38.8,
      unusualChangePercent: 10,
    });
  });

  it.each([
    ['failed', 'The scheduled people sync acme-people failed (SourceUnavailable); nothing was delivered.'],
    [
      'held',
      'The scheduled people sync acme-people is waiting for approval until 2026-03-05 01:03 UTC: 150 people would be deactivated.',
    ],
    ['partial', 'The scheduled people sync acme-people delivered, but Staffbase refused 3 rows.'],
    [
      'unusual-change',
      'The scheduled people sync acme-people changes 38.8% of the people (140 added, 310 changed, 12 deactivated), more than the 10% it alerts on.',
    ],
    [
      'stale',
      'The scheduled people sync acme-people has not succeeded since 2026-02-27 01:04 UTC; a successful run was due by 2026-03-02 03:00 UTC.',
    ],
  ] as const)('sums up %s in one sentence', (kind, summary) => {
    expect(messageFor(kind).summary).toBe(summary);
  });

  it('says when a failure came while delivering, and marks a dry run', () => {
    const run = runRecordFor('failed');
    run.steps.deliver = { status: 'failed', attempt: 3, startedAt: new Date('2026-03-02T01:03:00.000Z') };
    run.steps.build = { ...run.steps.build!, status: 'succeeded' };
    run.dryRun = true;
    const message = buildAlertMessage({ alert: alertFor('failed', run), run, sentAt: SENT_AT });
    expect(message.failure?.step).toBe('deliver');
    expect(message.summary).toBe(
      'The dry run of the scheduled people sync acme-people failed while delivering (SourceUnavailable).',
    );
    expect(message.links.run).toBeNull();
  });

  it('still says what it knows when the run record is gone', () => {
    const message = buildAlertMessage({ alert: alertFor('failed'), run: null, sentAt: SENT_AT });
    expect(message.run).toMatchObject({ runId: 'run-1', status: null, startedAt: null });
    expect(message.summary).toBe('The people sync acme-people failed; nothing was delivered.');
  });

  it('names the commands that answer a hold', () => {
    expect(messageFor('held').links.commands).toEqual([
      { purpose: 'see who would be deactivated', command: 'rosterflow holds acme-people' },
      { purpose: 'approve', command: 'rosterflow approve acme-people-nightly-42 --reason "<why>"' },
      { purpose: 'reject', command: 'rosterflow reject acme-people-nightly-42 --reason "<why>"' },
    ]);
  });
});

describe('the Slack-compatible alert', () => {
  it.each(ALERT_KINDS)('%s: text for the notification, a header and mrkdwn sections', (kind) => {
    const message = messageFor(kind);
    const slack = renderSlackMessage(message);
    expect(slack.text).toBe(message.summary);
    expect(slack.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(slack.blocks[1]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: `*${message.summary}*` } });
    for (const block of slack.blocks.slice(1)) expect(['section', 'context']).toContain(block.type);
  });

  it('escapes what mrkdwn reserves and links the Web UI', () => {
    const slack = renderSlackMessage(messageFor('held'));
    const all = JSON.stringify(slack);
    expect(all).toContain('--reason \\"&lt;why&gt;\\"');
    expect(all).toContain(
      '<http://localhost:8233/namespaces/default/workflows/acme-people-nightly-42/run-1/history|Open in the Temporal Web UI>',
    );
  });
});

describe('the alert email, worded for HR admins', () => {
  it('asks for a decision on a hold, says who to look up and how to answer', () => {
    const email = renderAlertEmail(messageFor('held'));
    expect(email.subject).toBe('[rosterflow] Approval needed: People sync acme-people would deactivate 150 people');
    expect(email.text).toContain(
      'The scheduled people sync acme-people is waiting for approval until 2026-03-05 01:03 UTC: 150 people would be deactivated.',
    );
    expect(email.text).toContain('Nothing has been changed yet.');
    expect(email.text).toContain('- 150 of the 1190 people employed at the last delivery would be deactivated');
    expect(email.text).toContain('if nobody does, the run is dropped and nothing is changed');
    expect(email.text).toContain('To see who would be deactivated: rosterflow holds acme-people');
    expect(email.text).toContain('To approve: rosterflow approve acme-people-nightly-42 --reason "<why>"');
    expect(email.text).toContain(
      'In the Temporal Web UI: http://localhost:8233/namespaces/default/workflows/acme-people-nightly-42/run-1/history',
    );
    expect(email.html).toContain(
      '<code>rosterflow approve acme-people-nightly-42 --reason &quot;&lt;why&gt;&quot;</code>',
    );
    expect(email.html).toContain('<a href="http://localhost:8233/');
  });

  it.each([
    ['failed', '[rosterflow] People sync acme-people failed', 'nobody was added, changed or deactivated by this run'],
    ['partial', '[rosterflow] People sync acme-people: Staffbase refused 3 rows', '- DUPLICATE_EMAIL: 2 rows'],
    [
      'unusual-change',
      '[rosterflow] People sync acme-people changes 38.8% of the people',
      '140 added, 310 changed, 12 deactivated, 728 unchanged',
    ],
    ['stale', '[rosterflow] People sync acme-people has not run successfully', 'leavers may still have it'],
  ] as const)('explains %s in plain words', (kind, subject, phrase) => {
    const email = renderAlertEmail(messageFor(kind));
    expect(email.subject).toBe(subject);
    expect(email.text).toContain(phrase);
    expect(email.text).toContain('no one’s personal data');
  });

  it('gives the failure’s reason and what happens next', () => {
    const { text } = renderAlertEmail(messageFor('failed'));
    expect(text).toContain('The reason given: BambooHR answered HTTP 503 to GET /v1/reports/custom (5 attempts)');
    expect(text).toContain('The next scheduled run tries again by itself.');
    expect(text).toContain('To try again now: rosterflow run acme-people');
  });
});
