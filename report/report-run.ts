import { activityInfo, heartbeat } from '@temporalio/activity';
import type { ActivityDeps } from '../activities/deps';
import type { SnapshotPointer } from '../store/snapshots';
import type { ChangeReportSummary, DeactivationReason } from '../store/run-record';
import { columnMatcher } from './compare';
import { compareRosters } from './merge';
import { decodePeople } from './person';
import type { PersonRecord } from './person';

/**
 * Writes a run's change report (report/compare.ts) against the sync's last delivery (`previous`, the
 * snapshot pointer naming the run that delivered), and records its counts in the run record. The
 * report's entries go to MongoDB only; what is returned is counts. Undefined for a run whose build
 * kept no people (built by a worker from before change reports).
 */
export async function writeChangeReport(
  deps: ActivityDeps,
  input: { runId: string; previous: SnapshotPointer | null; pulled: number },
): Promise<ChangeReportSummary | undefined> {
  const { artifactPages, changeReports, runs } = deps.store;
  const { runId, previous } = input;
  const columns = await artifactPages.peopleColumns(runId);
  if (!columns) return undefined;
  // A last delivery built before change reports kept no people: compared against nothing, and said so.
  const baselineColumns = previous ? await artifactPages.peopleColumns(previous.runId) : undefined;
  const baselineRunId = baselineColumns ? previous?.runId : undefined;
  const { attempt } = activityInfo();
  const started = Date.now();
  const writer = await changeReports.open(runId, attempt);
  const deactivatedBy: Partial<Record<DeactivationReason, number>> = {};
  let baselineDelivered = 0;
  const counts = await compareRosters({
    ...(baselineRunId
      ? {
          baseline: (async function* () {
            for await (const page of peopleOf(deps, baselineRunId)) {
              baselineDelivered += page.filter((person) => person.state === 'delivered').length;
              yield page;
            }
          })(),
        }
      : {}),
    current: peopleOf(deps, runId),
    expected: Math.max(input.pulled, previous?.pulled ?? 0),
    columns,
    baselineIndex: columnMatcher(columns, baselineColumns ?? []),
    emit: async (entry) => {
      if (entry.reason) deactivatedBy[entry.reason] = (deactivatedBy[entry.reason] ?? 0) + 1;
      await writer.add(entry);
    },
    progress: (compared) => heartbeat({ compared }),
  });
  await writer.close();
  const changed = counts.added + counts.changed + counts.deactivated;
  const summary: ChangeReportSummary = {
    ...(baselineRunId ? { baselineRunId } : {}),
    ...(previous && !baselineRunId ? { baselineUnavailable: previous.runId } : {}),
    baselineDelivered,
    ...counts,
    deactivatedBy,
    ...(baselineRunId && baselineDelivered > 0
      ? { changedPercent: Math.round((changed / baselineDelivered) * 1000) / 10 }
      : {}),
    attempt,
    durationMs: Date.now() - started,
  };
  await runs.setChanges(runId, summary);
  return summary;
}

async function* peopleOf(deps: ActivityDeps, runId: string): AsyncIterable<PersonRecord[]> {
  for await (const bytes of deps.store.artifactPages.people(runId)) yield decodePeople(bytes);
}
