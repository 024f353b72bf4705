import { CHANGE_KINDS } from '../../report/compare';
import type { ChangeEntry, ChangeKind } from '../../report/compare';
import type { ChangeReportSummary, RunRecord } from '../../store/run-record';
import type { Store } from '../../store/store';
import { KIND_TITLES, REASON_WORDS, entryLine } from './words';

/** A run's report as the CLI shows it: the counts, and the first people of each kind. */
export interface ReportView {
  changes: ChangeReportSummary;
  first: Record<ChangeKind, ChangeEntry[]>;
}

export async function readReportView(store: Store, run: RunRecord, limit: number): Promise<ReportView | undefined> {
  const { changes } = run;
  if (!changes) return undefined;
  const first = {} as Record<ChangeKind, ChangeEntry[]>;
  for (const kind of CHANGE_KINDS)
    first[kind] = await store.changeReports.first(run.runId, changes.attempt, kind, limit);
  return { changes, first };
}

/** Why a run has no report, in one sentence. */
export function noReportText(run: RunRecord): string {
  if (run.dataExpiredAt)
    return `Run ${run.runId}'s change report and files were dropped on ${run.dataExpiredAt.toISOString().slice(0, 10)} (ROSTERFLOW_RUN_DATA_RETENTION).`;
  if (run.plan) return `Run ${run.runId} has no change report: it was built by a version from before change reports.`;
  return `Run ${run.runId} has no change report: it ended before its plan (${run.status}${run.error ? `, ${run.error.type}` : ''}).`;
}

/** The counts, against what, then each kind's first people and how many more there are. */
export function formatReport(view: ReportView, run: RunRecord, wholeReport: string): string {
  const { changes } = view;
  const lines = [summaryLine(changes, run)];
  const reasons = Object.entries(changes.deactivatedBy)
    .filter(([, count]) => (count ?? 0) > 0)
    .map(([reason, count]) => `${count} ${REASON_WORDS[reason as keyof typeof REASON_WORDS]}`);
  if (reasons.length > 0) lines.push(`Deactivated because: ${reasons.join(', ')}.`);
  for (const kind of CHANGE_KINDS) {
    const total = changes[kind];
    if (total === 0) continue;
    const shown = view.first[kind];
    if (kind === 'added' && changes.addedNotListed) {
      lines.push('', `Added (${total}): everyone in the files, which are the list (\`--out <folder>\` writes them).`);
      continue;
    }
    lines.push('', `${KIND_TITLES[kind]} (${total}):`, ...shown.map((entry) => `  ${entryLine(entry)}`));
    if (total > shown.length) lines.push(`  ... and ${total - shown.length} more (${wholeReport})`);
  }
  return lines.join('\n');
}

function summaryLine(changes: ChangeReportSummary, run: RunRecord): string {
  const counts = `${changes.added} added, ${changes.changed} changed, ${changes.deactivated} deactivated, ${changes.unchanged} unchanged`;
  if (changes.baselineRunId) {
    const share =
      changes.changedPercent === undefined
        ? ''
        : ` (${changes.changedPercent}% of the ${changes.baselineDelivered} people delivered then)`;
    const when = run.plan?.previousDeliveredAt ? `, ${run.plan.previousDeliveredAt.slice(0, 10)}` : '';
    return `Against the last delivery (run ${changes.baselineRunId}${when}): ${counts}${share}.`;
  }
  if (changes.baselineUnavailable) {
    return `The last delivery (run ${changes.baselineUnavailable}) predates change reports, so everyone is compared against nothing: ${counts}.`;
  }
  return `First delivery of this sync, nothing to compare against: ${counts}.`;
}
