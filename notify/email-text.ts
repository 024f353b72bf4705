import type { AlertMessage } from './message';
import { explain, readableTime, subjectOf } from './wording';

/** An alert as an email: subject, plain text, and the same in simple HTML. */
export interface AlertEmail {
  subject: string;
  text: string;
  html: string;
}

const FOOTER =
  'This message was sent by rosterflow, which keeps the people lists of your tools in step with the HR system. It holds counts and ids only, no one’s personal data.';

export function renderAlertEmail(message: AlertMessage): AlertEmail {
  const paragraphs = [message.summary, ...explain(message)];
  const steps = message.links.commands.map(({ purpose, command }) => `To ${purpose}: ${command}`);
  const about = aboutLines(message);
  const text = [
    'Hello,',
    ...paragraphs,
    ...(steps.length > 0 ? [`What you can do (run these where rosterflow is set up):\n${steps.join('\n')}`] : []),
    ...(about.length > 0 ? [about.join('\n')] : []),
    FOOTER,
  ].join('\n\n');

  const html = [
    '<p>Hello,</p>',
    ...paragraphs.map(htmlParagraph),
    ...(steps.length > 0
      ? [
          '<p>What you can do (run these where rosterflow is set up):</p>',
          `<ul>${message.links.commands.map(({ purpose, command }) => `<li>To ${escapeHtml(purpose)}: <code>${escapeHtml(command)}</code></li>`).join('')}</ul>`,
        ]
      : []),
    ...(about.length > 0 ? [`<p style="color:#555">${about.map(linkify).join('<br>')}</p>`] : []),
    `<p style="color:#555">${escapeHtml(FOOTER)}</p>`,
  ].join('\n');

  return { subject: `[rosterflow] ${subjectOf(message)}`, text: `${text}\n`, html };
}

/** The run's ids and times, and the Web UI link: for whoever looks closer. */
function aboutLines(message: AlertMessage): string[] {
  const run = message.run;
  return [
    ...(run ? [`Run: ${run.runId} (workflow ${run.workflowId})`] : []),
    ...(run?.startedAt ? [`Started: ${readableTime(run.startedAt)}`] : []),
    ...(message.links.run ? [`In the Temporal Web UI: ${message.links.run}`] : []),
  ];
}

/** A paragraph whose lines starting with "- " are a list. */
function htmlParagraph(paragraph: string): string {
  const [first, ...rest] = paragraph.split('\n');
  const items = rest.filter((line) => line.startsWith('- ')).map((line) => `<li>${escapeHtml(line.slice(2))}</li>`);
  return `<p>${escapeHtml(first ?? '')}</p>${items.length > 0 ? `<ul>${items.join('')}</ul>` : ''}`;
}

/** An "In the Temporal Web UI: <url>" line gets its link; other lines are text. */
function linkify(line: string): string {
  const match = /^(.*: )(https?:\/\/\S+)$/.exec(line);
  if (!match) return escapeHtml(line);
  const url = escapeHtml(match[2] ?? '');
  return `${escapeHtml(match[1] ?? '')}<a href="${url}">${url}</a>`;
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
