import { relative } from 'node:path';
import type { RunRecord } from '../../store/run-record';
import type { Store } from '../../store/store';
import { writeReportCsv } from './csv';
import { writeRunFiles } from './files';
import { formatReport, noReportText, readReportView } from './show';

export interface RunReportOptions {
  /** People of each kind to list. */
  limit: number;
  /** Write the whole report here, as CSV. */
  csv?: string;
  /** Write the run's files here. */
  out?: string;
  json: boolean;
}

/**
 * What `preview` and `report` print of a run: its files (written out when asked), the change report's
 * counts and first people of each kind, the safety rules it trips, and the whole report as CSV.
 */
export async function showRunReport(store: Store, run: RunRecord, options: RunReportOptions): Promise<string> {
  const expired = run.dataExpiredAt !== undefined;
  const files = options.out === undefined || expired ? [] : await writeRunFiles(store, run, options.out);
  const view = expired ? undefined : await readReportView(store, run, options.limit);
  const csvRows =
    options.csv !== undefined && view
      ? await writeReportCsv(
          options.csv,
          (async function* () {
            for await (const entry of store.changeReports.entries(run.runId, view.changes.attempt)) yield { entry };
          })(),
        )
      : undefined;
  if (options.json) {
    return JSON.stringify(
      {
        runId: run.runId,
        workflowId: run.workflowId,
        syncId: run.syncId,
        dryRun: run.dryRun,
        status: run.status,
        files,
        changes: view?.changes ?? null,
        first: view?.first ?? null,
        tripped: run.plan?.tripped ?? [],
        ...(csvRows === undefined ? {} : { csv: { file: options.csv, rows: csvRows } }),
      },
      null,
      2,
    );
  }
  const lines: string[] = [];
  if (files.length > 0) {
    lines.push(`Files${run.dryRun ? ' a real run would deliver' : ' this run delivered'}, written to ${options.out}:`);
    for (const [at, path] of files.entries()) {
      const artifact = run.artifacts?.[at];
      lines.push(
        `  ${relative(process.cwd(), path) || path}  ${artifact?.rows ?? '?'} rows  ${artifact?.checksum ?? ''}`,
      );
    }
    lines.push('');
  }
  const whole = options.csv ?? `rosterflow report ${run.runId} --csv <file>`;
  lines.push(view ? formatReport(view, run, `the whole report: ${whole}`) : noReportText(run));
  const tripped = run.plan?.tripped ?? [];
  if (tripped.length > 0) {
    lines.push('', run.dryRun ? 'A real run would be held for approval:' : 'Safety rules tripped:');
    lines.push(...tripped.map((reason) => `  - ${reason}`));
  } else if (run.plan) lines.push('', 'No safety rule trips.');
  if (csvRows !== undefined) lines.push('', `The whole report (${csvRows} people) is in ${options.csv}.`);
  return lines.join('\n');
}
