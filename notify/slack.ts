import type { AlertMessage } from './message';
import { explain, subjectOf } from './wording';

/**
 * A Slack incoming-webhook message: `text` (the notification and the fallback that Mattermost and
 * other Slack-compatible receivers show) and Block Kit `blocks` of mrkdwn sections.
 */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] };

/** Slack's header blocks take at most 150 characters. */
const HEADER_LIMIT = 150;

export function renderSlackMessage(message: AlertMessage): SlackMessage {
  const section = (text: string): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
  const commands = message.links.commands.map(
    ({ purpose, command }) => `• To ${escape(purpose)}: \`${escape(command)}\``,
  );
  const run = message.run;
  const context = [
    ...(run ? [`Run \`${escape(run.runId)}\` · workflow \`${escape(run.workflowId)}\``] : []),
    ...(message.links.run ? [`<${message.links.run}|Open in the Temporal Web UI>`] : []),
  ];
  return {
    text: escape(message.summary),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: subjectOf(message).slice(0, HEADER_LIMIT) } },
      section(`*${escape(message.summary)}*`),
      ...explain(message).map((paragraph) => section(escape(paragraph))),
      ...(commands.length > 0 ? [section(commands.join('\n'))] : []),
      ...(context.length > 0
        ? [{ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: context.join(' · ') }] }]
        : []),
    ],
  };
}

/** Slack's mrkdwn reserves these three; everything else is shown as written. */
function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
