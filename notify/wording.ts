import type { AlertMessage } from './message';

/**
 * The words of an alert, shared by the JSON summary, Slack and email so they never disagree. Written
 * for HR admins, not engineers: what happened, what it means for people's access, what to do.
 */

/** `2026-03-02 02:00 UTC`: unambiguous for readers in any time zone. */
export function readableTime(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** "The people sync acme-people", "The dry run of the scheduled people sync acme-people". */
function syncPhrase(message: Pick<AlertMessage, 'syncId' | 'run' | 'kind'>): string {
  const scheduled = message.kind === 'stale' || message.run?.trigger === 'schedule' ? 'scheduled ' : '';
  const sync = `people sync ${message.syncId}`;
  return message.run?.dryRun ? `The dry run of the ${scheduled}${sync}` : `The ${scheduled}${sync}`;
}

/** How many would be (or were) deactivated, from the change report, else the plan. */
function deactivations(message: Pick<AlertMessage, 'changes' | 'counts'>): number | undefined {
  return message.changes?.deactivated ?? message.counts.deactivations;
}

/** The one-sentence summary of an alert. */
export function summarize(message: Omit<AlertMessage, 'summary'>): string {
  const subject = syncPhrase(message);
  switch (message.kind) {
    case 'failed': {
      const type = message.failure ? ` (${message.failure.type})` : '';
      return message.failure?.step === 'deliver'
        ? `${subject} failed while delivering${type}.`
        : `${subject} failed${type}; nothing was delivered.`;
    }
    case 'held': {
      const count = deactivations(message);
      const until = message.hold ? ` until ${readableTime(message.hold.expiresAt)}` : '';
      return count !== undefined && count > 0
        ? `${subject} is waiting for approval${until}: ${plural(count, 'person', 'people')} would be deactivated.`
        : `${subject} is waiting for approval${until}: a safety rule held it.`;
    }
    case 'partial': {
      const refused = message.refused;
      return refused
        ? `${subject} delivered, but ${refused.vendor} refused ${plural(refused.count, 'row')}.`
        : `${subject} delivered, but the target refused some rows.`;
    }
    case 'unusual-change': {
      const changes = message.changes;
      if (!changes) return `${subject} changed more people than usual.`;
      const share =
        changes.changedPercent === undefined
          ? 'more people than usual'
          : `${percent(changes.changedPercent)} of the people`;
      const threshold =
        changes.unusualChangePercent === undefined
          ? ''
          : `, more than the ${percent(changes.unusualChangePercent)} it alerts on`;
      return `${subject} changes ${share} (${changes.added} added, ${changes.changed} changed, ${changes.deactivated} deactivated)${threshold}.`;
    }
    case 'stale': {
      const stale = message.stale;
      if (!stale) return `${subject} has not succeeded within its schedule.`;
      const since = stale.lastSuccessAt ? `since ${readableTime(stale.lastSuccessAt)}` : 'yet';
      return `${subject} has not succeeded ${since}; a successful run was due by ${readableTime(stale.dueBy)}.`;
    }
  }
}

/** `12.5%`, `10%`. */
export function percent(value: number): string {
  return `${Number.isInteger(value) ? value : value.toFixed(1)}%`;
}

/** The email subject (also the Slack header): short, the sync first, the action when one is needed. */
export function subjectOf(message: AlertMessage): string {
  const dry = message.run?.dryRun ? ' (dry run)' : '';
  const sync = `People sync ${message.syncId}${dry}`;
  switch (message.kind) {
    case 'failed':
      return `${sync} failed`;
    case 'held': {
      const count = deactivations(message);
      return count !== undefined && count > 0
        ? `Approval needed: ${sync} would deactivate ${plural(count, 'person', 'people')}`
        : `Approval needed: ${sync} is on hold`;
    }
    case 'partial':
      return message.refused
        ? `${sync}: ${message.refused.vendor} refused ${plural(message.refused.count, 'row')}`
        : `${sync}: some rows were refused`;
    case 'unusual-change':
      return message.changes?.changedPercent === undefined
        ? `${sync} changed more people than usual`
        : `${sync} changes ${percent(message.changes.changedPercent)} of the people`;
    case 'stale':
      return `${sync} has not run successfully`;
  }
}

/** What the alert means, in plain words: paragraphs for the email body and the Slack message. */
export function explain(message: AlertMessage): string[] {
  switch (message.kind) {
    case 'failed':
      return explainFailure(message);
    case 'held':
      return explainHold(message);
    case 'partial':
      return explainPartial(message);
    case 'unusual-change':
      return explainUnusualChange(message);
    case 'stale':
      return explainStale(message);
  }
}

function explainFailure(message: AlertMessage): string[] {
  const failure = message.failure;
  const effect =
    failure?.step === 'deliver'
      ? 'It stopped while sending the people list to the target system, so some of the changes may already have been applied. The next successful run brings everything in line.'
      : 'It stopped before sending anything to the target system: nobody was added, changed or deactivated by this run.';
  return [
    effect,
    ...(failure ? [`The reason given: ${failure.message}`] : []),
    message.run?.trigger === 'schedule'
      ? 'The next scheduled run tries again by itself. If the reason above needs fixing (a password, a file, a setting), fix it first.'
      : 'If the reason above needs fixing (a password, a file, a setting), fix it and run the sync again.',
  ];
}

function explainHold(message: AlertMessage): string[] {
  const hold = message.hold;
  const deadline = hold
    ? `Someone has to approve or reject it by ${readableTime(hold.expiresAt)}; if nobody does, the run is dropped and nothing is changed.`
    : 'Someone has to approve or reject it; if nobody does in time, the run is dropped and nothing is changed.';
  return [
    'A safety check stopped this run before it changed anything, because it would change more than usual. Nothing has been changed yet.',
    ...(hold && hold.reasons.length > 0
      ? [`Why it was held:\n${hold.reasons.map((reason) => `- ${reason}`).join('\n')}`]
      : []),
    deadline,
    'Approve it if these changes are expected (for example, a planned reorganisation or a batch of leavers); reject it if something looks wrong in the HR data.',
  ];
}

function explainPartial(message: AlertMessage): string[] {
  const refused = message.refused;
  const codes =
    refused && refused.codes.length > 0
      ? [
          `What ${refused.vendor} said, by error code:\n${refused.codes.map(({ code, rows }) => `- ${code}: ${plural(rows, 'row')}`).join('\n')}`,
        ]
      : [];
  return [
    `The people on the refused rows were not added or updated in ${refused?.vendor ?? 'the target system'}; everyone else is up to date.`,
    ...codes,
    'This is usually a problem in the HR data of those people (a missing or duplicate email, for example). Once it is fixed in the HR system, the next run delivers them.',
  ];
}

function explainUnusualChange(message: AlertMessage): string[] {
  const changes = message.changes;
  const counts = changes
    ? [
        `Compared with the last delivery (${plural(changes.baselineDelivered, 'person', 'people')}): ${changes.added} added, ${changes.changed} changed, ${changes.deactivated} deactivated, ${changes.unchanged} unchanged.`,
      ]
    : [];
  return [
    'This run changes more people than this sync usually does. That can be expected (a reorganisation, a new department, a batch of hires) or a sign that something is wrong in the HR data.',
    ...counts,
    'Please check that these changes are expected.',
  ];
}

function explainStale(message: AlertMessage): string[] {
  const stale = message.stale;
  if (!stale) return ['This scheduled sync has not succeeded within its interval.'];
  const last = stale.lastSuccessAt
    ? `Its last successful run was at ${readableTime(stale.lastSuccessAt)}.`
    : 'It has never run successfully.';
  return [
    `This sync runs on a schedule (${stale.cron}, ${stale.timezone}) and should have succeeded by ${readableTime(stale.dueBy)}. ${last}`,
    'The people list in the target system may be out of date: new hires may not have access yet, and leavers may still have it.',
    'Check that rosterflow is running, and look at the latest runs of this sync.',
  ];
}
