import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import type { ActivityDeps } from '../activities/deps';
import type { SnapshotPointer } from '../store/snapshots';
import type { ChangeReportSummary, DeactivationReason } from '../store/run-record';
import { columnMatcher } from './compare';
import { compareRosters } from './merge';
import type { LazyPage } from './merge';
import { decodeIndex, peopleReader } from './person';

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
  const header = await artifactPages.peopleHeader(runId);
  if (!header) return undefined;
  const { columns } = header;
  // A last delivery built before change reports kept no people: compared against nothing, and said so.
  const baselineColumns = previous ? await artifactPages.peopleColumns(previous.runId) : undefined;
  const baselineRunId = baselineColumns ? previous?.runId : undefined;
  const { attempt } = activityInfo();
  const started = Date.now();
  const writer = await changeReports.open(runId, attempt);
  const deactivatedBy: Partial<Record<DeactivationReason, number>> = {};
  const { counts, baselineDelivered, people } = await compareRosters({
    ...(baselineRunId ? { baseline: () => peopleOf(deps, baselineRunId) } : {}),
    current: peopleOf(deps, runId),
    columns,
    sameColumns: baselineColumns !== undefined && sameList(columns, baselineColumns),
    currentUnique: header.unique,
    ...(baselineRunId ? {} : { countAddedOnly: true }),
    baselineIndex: columnMatcher(columns, baselineColumns ?? []),
    emit: async (entry) => {
      if (entry.reason) deactivatedBy[entry.reason] = (deactivatedBy[entry.reason] ?? 0) + 1;
      await writer.add(entry);
    },
    progress: (compared) => {
      heartbeat({ compared });
      // Given up on by Temporal: stop before writing more (a later attempt writes its own report).
      cancellationSignal().throwIfAborted();
    },
  });
  await writer.close();
  // Each pulled employee is one person in the pages: fewer means some pages kept none (a build
  // resumed across an upgrade), and a comparison of part of a roster would name the rest as gone.
  if (people.current !== input.pulled || (baselineRunId && previous && people.baseline !== previous.pulled)) {
    await changeReports.discardAttempt(runId, attempt);
    return undefined;
  }
  const changed = counts.added + counts.changed + counts.deactivated;
  const summary: ChangeReportSummary = {
    ...(baselineRunId ? { baselineRunId } : {}),
    ...(previous && !baselineRunId ? { baselineUnavailable: previous.runId } : {}),
    baselineDelivered,
    ...counts,
    deactivatedBy,
    ...(baselineRunId ? {} : { addedNotListed: true as const }),
    ...(baselineRunId && baselineDelivered > 0
      ? { changedPercent: Math.round((changed / baselineDelivered) * 1000) / 10 }
      : {}),
    attempt,
    durationMs: Date.now() - started,
  };
  await runs.setChanges(runId, summary, attempt);
  return summary;
}

/** A run's people, page by page: each page's index at once, its records decoded only if the comparison asks. */
async function* peopleOf(deps: ActivityDeps, runId: string): AsyncIterable<LazyPage> {
  for await (const { index, records } of deps.store.artifactPages.people(runId)) {
    let reader: ReturnType<typeof peopleReader> | undefined;
    yield { index: decodeIndex(index), record: (at) => (reader ??= peopleReader(records)).at(at) };
  }
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((value, at) => value === b[at]);
