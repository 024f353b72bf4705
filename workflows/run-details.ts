import type { RunWait, SyncProgress } from './progress';

const STEP_TITLES = { resolve: 'resolve', build: 'build', plan: 'plan', deliver: 'deliver', finish: 'finish' } as const;

/**
 * The Web UI's current details of a run, as markdown: its state first (HELD and why, when held),
 * then counts so far. Ids, counts, types and the safety rules' own sentences only.
 */
export function runDetails(progress: SyncProgress): string {
  const lines = [...headline(progress), ''];
  const decision = progress.holdDecision;
  if (decision && progress.wait?.kind !== 'hold') {
    const who = decision.by ? ` by ${decision.by}` : '';
    lines.push(`Hold ${decision.outcome}${who} at ${decision.at}.`, '');
  }
  const counts = countsLine(progress.counts);
  if (counts) lines.push(counts, '');
  if (progress.stepsDone.length > 0) lines.push(`Steps done: ${progress.stepsDone.join(' → ')}`, '');
  lines.push(`Last change: ${progress.updatedAt}`);
  return lines.join('\n');
}

function headline(progress: SyncProgress): string[] {
  const { status, wait, step } = progress;
  if (wait?.kind === 'hold') return holdLines(wait, progress.workflowId);
  switch (status) {
    case 'succeeded':
      return [`**Succeeded**${progress.dryRun ? ' (dry run: nothing was delivered)' : ''}.`];
    case 'partial':
      return ['**Partial**: delivered, but the target refused some rows (see `rosterflow history --run`).'];
    case 'failed':
      return [`**Failed**${progress.failure ? ` (${progress.failure})` : ''}; nothing more will be sent.`];
    default: {
      const running = step
        ? `**Running**: ${STEP_TITLES[step]} (since ${progress.stepStartedAt ?? '?'})`
        : '**Running**';
      return wait ? [running, '', `Waiting: ${waitLine(wait)}`] : [running];
    }
  }
}

function holdLines(hold: Extract<RunWait, { kind: 'hold' }>, workflowId: string): string[] {
  return [
    '**HELD for approval**: a safety rule tripped, nothing has been delivered.',
    '',
    ...hold.reasons.map((reason) => `- ${reason}`),
    '',
    `Held since ${hold.since}; expires ${hold.expiresAt} (the run then fails as HoldExpired).`,
    '',
    'Answer with the `decideHold` Update or Signal, input `{"approve": true, "by": "<you>", "reason": "<why>"}`,',
    `or \`rosterflow approve|reject ${workflowId} --reason "<why>"\`.`,
  ];
}

function waitLine(wait: RunWait): string {
  switch (wait.kind) {
    case 'hold':
      return 'an operator';
    case 'rate-limit':
      return `rate limited (${wait.reason}) until ${wait.until}`;
    case 'upload-lock':
      return `the upload lock (\`${wait.lockWorkflowId}\`: one upload at a time) since ${wait.since}`;
    case 'vendor-import':
      return `the ${wait.target} import, now ${wait.state}${wait.nextCheckAt ? `; next check ${wait.nextCheckAt}` : ''}`;
  }
}

function countsLine(counts: SyncProgress['counts']): string | undefined {
  const parts = [
    counts.pulled === undefined ? undefined : `${counts.pulled} pulled`,
    counts.rejected === undefined ? undefined : `${counts.rejected} rejected by the source`,
    counts.rendered === undefined ? undefined : `${counts.rendered} rendered`,
    counts.renderRejected === undefined ? undefined : `${counts.renderRejected} refused by the target's checks`,
    counts.deactivations === undefined ? undefined : `${counts.deactivations} planned deactivations`,
  ].filter((part): part is string => part !== undefined);
  return parts.length > 0 ? `Employees: ${parts.join(', ')}` : undefined;
}
