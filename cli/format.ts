import type { PendingHold } from '../workflows/hold';
import type { RunRecord } from '../store/run-record';
import type { SyncOutcome } from './start-sync';
import { deliveryDetailLines, historyStatusCell, outcomeHeading, refusalOutcomeLines } from './format-delivery';

export function formatOutcome(outcome: SyncOutcome): string {
  if (!outcome.ok) return `FAILED (${outcome.failure.type}): ${outcome.failure.message}`;
  const { result } = outcome;
  const delivered = result.delivered
    ? `delivered to ${result.delivered.target} at ${result.delivered.location}`
    : 'dry run: nothing delivered';
  return [
    `${outcomeHeading(result)}: ${result.pulled} employees pulled, ${result.rejected + result.renderRejected} rejected, ${result.rendered} employees rendered`,
    `  ${delivered}`,
    ...refusalOutcomeLines(result),
    ...result.artifacts.map((artifact) => `  ${artifact.fileName}: ${artifact.rows} rows, ${artifact.checksum}`),
  ].join('\n');
}

/** A plain table of runs, newest first. */
export function formatHistory(runs: RunRecord[]): string {
  if (runs.length === 0) return 'No runs recorded yet.';
  const header = ['STARTED (UTC)', 'SYNC', 'TRIGGER', 'STATUS', 'DURATION', 'PULLED', 'REJECTED', 'ROWS', 'DETAIL'];
  const rows = runs.map((run) => [
    run.startedAt.toISOString().replace('T', ' ').slice(0, 19),
    run.syncId,
    run.trigger + (run.dryRun ? ' (dry)' : ''),
    historyStatusCell(run),
    run.durationMs === undefined ? '-' : `${(run.durationMs / 1000).toFixed(1)}s`,
    String(run.counts.pulled ?? '-'),
    String(run.counts.rejected ?? '-'),
    String(run.counts.rendered ?? '-'),
    run.error ? `${run.error.type}: ${run.error.message.split('\n')[0] ?? ''}` : (run.delivery?.location ?? ''),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** One run in full: its steps with timings, counts, artifact, delivery and rejected rows. */
export function formatRunDetail(run: RunRecord): string {
  const lines = [
    `run       ${run.runId}`,
    `workflow  ${run.workflowId}`,
    `sync      ${run.syncId} (${run.sourceType ?? '?'} -> ${run.targetType ?? '?'})`,
    `trigger   ${run.trigger}${run.dryRun ? ', dry run' : ''}`,
    `status    ${run.status}${run.durationMs === undefined ? '' : ` in ${(run.durationMs / 1000).toFixed(1)}s`}`,
    `counts    ${
      Object.entries(run.counts)
        .map(([name, value]) => `${name}=${value}`)
        .join(' ') || '-'
    }`,
  ];
  for (const artifact of run.artifacts ?? []) {
    lines.push(`artifact  ${artifact.fileName} ${artifact.checksum} (${artifact.bytes} bytes, ${artifact.rows} rows)`);
  }
  if (run.delivery) {
    const remote = run.delivery.remoteId ? ` (${run.delivery.remoteId})` : '';
    lines.push(`delivered ${run.delivery.target} -> ${run.delivery.location}${remote}`);
  }
  lines.push(...deliveryDetailLines(run));
  for (const event of run.events ?? []) {
    lines.push(`event     ${event.at.toISOString()} ${event.step} ${event.kind}: ${event.detail}`);
  }
  if (run.plan) {
    const { pulled, active, previousPulled, previousActive, deactivations } = run.plan;
    const against =
      previousPulled === undefined ? 'first delivery' : `last delivery ${previousPulled}/${previousActive ?? 0}`;
    lines.push(`plan      pulled ${pulled}, employed ${active} (${against}), deactivations ${deactivations}`);
    for (const reason of run.plan.tripped) lines.push(`  tripped ${reason}`);
  }
  if (run.hold) {
    const { decision } = run.hold;
    const ending = decision
      ? `${decision.approve ? 'approved' : 'rejected'} by ${decision.by} at ${decision.at.toISOString()}: ${decision.reason}`
      : run.hold.expired
        ? 'expired unanswered'
        : `waiting until ${run.hold.expiresAt.toISOString()}`;
    lines.push(`hold      since ${run.hold.since.toISOString()}, ${ending}`);
  }
  if (run.error) lines.push(`error     ${run.error.type}: ${run.error.message}`);
  lines.push('steps');
  for (const [name, step] of Object.entries(run.steps)) {
    const duration = step.durationMs === undefined ? '' : ` ${step.durationMs} ms`;
    lines.push(
      `  ${name.padEnd(8)} ${step.status}${duration} (attempt ${step.attempt})${step.error ? `: ${step.error}` : ''}`,
    );
  }
  if (run.rejections.length > 0) {
    const more = (run.counts.rejected ?? 0) - run.rejections.length;
    lines.push(`rejected rows${more > 0 ? ` (first ${run.rejections.length}; ${more} more)` : ''}`);
    for (const rejection of run.rejections) lines.push(`  ${rejection.row}: ${rejection.field} ${rejection.reason}`);
  }
  return lines.join('\n');
}

/** What `rosterflow run` prints when its run is held: why, until when, and how to answer. */
export function formatHeld(hold: PendingHold, workflowId: string): string {
  return [
    `HELD: a safety rule tripped; nothing is delivered until an operator decides (expires ${hold.expiresAt}):`,
    ...hold.reasons.map((reason) => `  - ${reason}`),
    `  approve: ./bin/rosterflow approve ${workflowId} --reason "<why>"`,
    `  reject:  ./bin/rosterflow reject ${workflowId} --reason "<why>"`,
    'Still waiting for the outcome (Ctrl-C stops waiting; the run stays held).',
  ].join('\n');
}
