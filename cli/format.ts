import type { RowRejection } from '../connectors/sdk/source';
import { deliveryRef } from '../core/safety-rules';
import type { PendingHold } from '../workflows/hold';
import type { RunRecord } from '../store/run-record';
import type { SyncOutcome } from './start-sync';
import { deliveryDetailLines, historyStatusCell, outcomeHeading, refusalOutcomeLines } from './format-delivery';

/** How many rejected rows `run` prints with its outcome; `history --run` shows every recorded one. */
const REJECTIONS_SHOWN = 10;

/**
 * What `run` prints when its run is over: the outcome with what became of the pulled employees, the
 * first rejected rows, and where to see the rest. `record` is the run's record, when the store has it.
 */
export function formatOutcome(outcome: SyncOutcome, record?: RunRecord): string {
  const lines: string[] = [];
  if (!outcome.ok) {
    lines.push(`FAILED (${outcome.failure.type}): ${outcome.failure.message}`);
  } else {
    const { result } = outcome;
    lines.push(`${outcomeHeading(result)}${result.dryRun ? ' (dry run)' : ''}: ${describeCounts(result)}`);
    lines.push(
      result.delivered
        ? `  delivered to ${result.delivered.target} at ${result.delivered.location}`
        : '  dry run: nothing delivered',
    );
    lines.push(...refusalOutcomeLines(result));
    lines.push(
      ...result.artifacts.map((artifact) => `  ${artifact.fileName}: ${artifact.rows} rows, ${artifact.checksum}`),
    );
  }
  if (record) lines.push(...rejectedRowLines(record, REJECTIONS_SHOWN));
  return lines.join('\n');
}

type OutcomeCounts = Pick<
  Extract<SyncOutcome, { ok: true }>['result'],
  'pulled' | 'rejected' | 'rendered' | 'renderRejected' | 'dryRun'
>;

/** "10 pulled: 9 delivered, 1 left out by the target's status filter", with rejections when there are some. */
export function describeCounts(result: OutcomeCounts): string {
  // Every pulled employee is rendered, left out by the target's filter, or refused by its checks.
  const filteredOut = result.pulled - result.rendered - result.renderRejected;
  const parts = [`${result.rendered} ${result.dryRun ? 'rendered (not delivered)' : 'delivered'}`];
  if (filteredOut > 0) parts.push(`${filteredOut} left out by the target's status filter`);
  if (result.renderRejected > 0) parts.push(`${result.renderRejected} rejected by the target's checks`);
  const source = result.rejected > 0 ? `; ${result.rejected} source ${plural(result.rejected, 'row')} rejected` : '';
  return `${result.pulled} pulled: ${parts.join(', ')}${source}`;
}

/** A rejected row the one way every output names it: where it is in the source, the column as the user wrote it, why. */
export function formatRejection(rejection: RowRejection): string {
  return `${rejection.row}: ${rejection.field} ${rejection.reason}`;
}

/** The run's first rejected rows (at most `limit`), how many more there are, and where to see them all. */
function rejectedRowLines(run: RunRecord, limit: number): string[] {
  if (run.rejections.length === 0) return [];
  const total = rejectedRows(run);
  const shown = run.rejections.slice(0, limit);
  const more = total - new Set(shown.map((rejection) => rejection.row)).size;
  return [
    `  ${total} rejected ${plural(total, 'row')}${more > 0 ? ` (the first ${shown.length} reasons)` : ''}:`,
    ...shown.map((rejection) => `    ${formatRejection(rejection)}`),
    ...(more > 0 ? [`    ... and ${more} more ${plural(more, 'row')}`] : []),
    `  every recorded row: ./bin/rosterflow history --run ${run.runId}`,
  ];
}

/** Rows the source rejected plus employees the target's checks refused. */
function rejectedRows(run: RunRecord): number {
  return Math.max(
    (run.counts.rejected ?? 0) + (run.counts.renderRejected ?? 0),
    new Set(run.rejections.map((rejection) => rejection.row)).size,
  );
}

/** Employee rows that reached the target: none for a failed or dry run, whatever was rendered. */
function deliveredRows(run: RunRecord): string {
  if (run.status === 'running' || run.status === 'held') return '-';
  if (run.status === 'failed' || run.dryRun || !run.delivery) return '0';
  return String(run.counts.rendered ?? 0);
}

/** The table's last column: the error, what a held run waits for (by the workflow id approve takes), or where it went. */
function detailOf(run: RunRecord): string {
  if (run.error) return `${run.error.type}: ${run.error.message.split('\n')[0] ?? ''}`;
  if (run.status === 'held') return `waiting for approve/reject ${run.workflowId}`;
  return run.delivery?.location ?? '';
}

const plural = (count: number, word: string) => (count === 1 ? word : `${word}s`);

/** A plain table of runs, newest first. */
export function formatHistory(runs: RunRecord[]): string {
  if (runs.length === 0) return 'No runs recorded yet.';
  const header = [
    'STARTED (UTC)',
    'SYNC',
    'TRIGGER',
    'STATUS',
    'DURATION',
    'PULLED',
    'REJECTED',
    'DELIVERED',
    'RUN ID',
    'DETAIL',
  ];
  const rows = runs.map((run) => [
    run.startedAt.toISOString().replace('T', ' ').slice(0, 19),
    run.syncId,
    run.trigger + (run.dryRun ? ' (dry)' : ''),
    historyStatusCell(run),
    run.durationMs === undefined ? '-' : `${(run.durationMs / 1000).toFixed(1)}s`,
    String(run.counts.pulled ?? '-'),
    run.counts.pulled === undefined ? '-' : String(rejectedRows(run)),
    deliveredRows(run),
    run.runId,
    detailOf(run),
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
    const until = event.until ? ` (until ${event.until.toISOString()})` : '';
    lines.push(`event     ${event.at.toISOString()} ${event.step} ${event.kind}: ${event.detail}${until}`);
  }
  if (run.plan) {
    const { pulled, active, previousPulled, previousActive, deactivations } = run.plan;
    const against =
      previousPulled === undefined
        ? 'first delivery'
        : `last delivery${deliveryRef(run.plan)}: pulled ${previousPulled}, employed ${previousActive ?? 0}`;
    lines.push(`plan      pulled ${pulled}, employed ${active}; ${against}; deactivations ${deactivations}`);
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
    const more = rejectedRows(run) - new Set(run.rejections.map((rejection) => rejection.row)).size;
    lines.push(`rejected rows${more > 0 ? ` (first ${run.rejections.length} reasons; ${more} more rows)` : ''}`);
    for (const rejection of run.rejections) lines.push(`  ${formatRejection(rejection)}`);
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
