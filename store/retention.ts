import type { Db } from 'mongodb';
import { PEOPLE_PREFIX } from './artifact-pages';
import type { ArtifactPageStore } from './artifact-pages';
import type { ChangeReportStore } from './change-reports';
import type { RunStore } from './runs';
import type { SnapshotStore } from './snapshots';

/** Per-run collections of personal data: a run's artifact pages (with its people) and its change report. */
const PER_RUN_PREFIXES = ['artifact_pages_', PEOPLE_PREFIX, 'change_report_'];

/**
 * Drops the personal data of runs that finished before `cutoff` (ROSTERFLOW_RUN_DATA_RETENTION):
 * their artifact pages and change report, each a drop whatever the roster's size. The run record
 * stays, marked expired. Never a sync's current baseline (the run it last delivered): the next plan
 * and report compare against it. Returns how many runs it expired.
 */
export async function expireRunData(
  db: Db,
  stores: {
    runs: RunStore;
    artifactPages: ArtifactPageStore;
    changeReports: ChangeReportStore;
    snapshots: SnapshotStore;
  },
  cutoff: Date,
): Promise<number> {
  const baselines = await stores.snapshots.currentRunIds();
  const runIds = new Set<string>();
  for await (const { name } of db.listCollections({}, { nameOnly: true })) {
    const prefix = PER_RUN_PREFIXES.find((candidate) => name.startsWith(candidate));
    if (prefix) runIds.add(name.slice(prefix.length));
  }
  let expired = 0;
  for (const runId of runIds) {
    if (baselines.has(runId)) continue;
    const run = await stores.runs.get(runId);
    if (!run?.finishedAt || run.finishedAt >= cutoff) continue;
    await stores.artifactPages.drop(runId);
    await stores.changeReports.drop(runId);
    await stores.runs.markDataExpired(runId, new Date());
    expired += 1;
  }
  return expired;
}
