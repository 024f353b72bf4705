import { MongoClient } from 'mongodb';
import { AlertDeliveryStore } from './alert-deliveries';
import { AlertStateStore } from './alert-state';
import { ArtifactPageStore } from './artifact-pages';
import { ArtifactStore } from './artifacts';
import { ChangeReportStore } from './change-reports';
import { CheckpointStore } from './checkpoints';
import { DeliveryItemStore } from './delivery-items';
import { ManagedAccountStore } from './managed-accounts';
import { RenderSegmentStore } from './render-segments';
import { expireRunData } from './retention';
import { RunStore } from './runs';
import { SnapshotStore } from './snapshots';
import { StagingStore } from './staging';

export interface Store {
  runs: RunStore;
  staging: StagingStore;
  artifacts: ArtifactStore;
  /** Each run's rendered files as the build step wrote them: artifact and resume state in one. */
  artifactPages: ArtifactPageStore;
  checkpoints: CheckpointStore;
  /** Each run's change report: the people it adds, changes and deactivates (personal data). */
  changeReports: ChangeReportStore;
  renderSegments: RenderSegmentStore;
  /** Per sync, the ids employed at its last delivery: the safety rules' deactivation baseline. */
  snapshots: SnapshotStore;
  /** Per-person targets' plans and outcomes, one document per person per run (personal data). */
  deliveryItems: DeliveryItemStore;
  /** Per-person targets' accounts in each app: those they created or matched, and may deactivate. */
  managedAccounts: ManagedAccountStore;
  /** Per sync, what the stale-sync watchdog remembers between ticks (once-per-episode alerts). */
  alertState: AlertStateStore;
  /** What became of each alert of a run, sent or not. */
  alertDeliveries: AlertDeliveryStore;
  /**
   * Deletes what runs that never finished left behind, once older than `cutoff`: unfinished builds'
   * pages, checkpoints, older staged data, planned snapshots never delivered.
   */
  pruneRunData(cutoff: Date): Promise<void>;
  /**
   * Drops the artifact pages and change reports (personal data) of runs finished before `cutoff`,
   * but never a sync's current baseline (store/retention.ts); returns how many runs it expired.
   */
  expireRunData(cutoff: Date): Promise<number>;
  close(): Promise<void>;
}

/** How long an approved run's planned snapshot is kept for its delivery to commit it. */
const APPROVED_DELIVERY_MS = 24 * 60 * 60 * 1000;

/** Connects to MongoDB (or a wire-compatible server) and makes sure the indexes the CLI relies on exist. */
export async function openStore(uri: string, dbName: string): Promise<Store> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000, appName: 'rosterflow' });
  const db = client.db(dbName);
  const artifactPages = new ArtifactPageStore(db);
  const store: Store = {
    runs: new RunStore(db),
    staging: new StagingStore(db),
    artifacts: new ArtifactStore(db, artifactPages),
    artifactPages,
    checkpoints: new CheckpointStore(db),
    changeReports: new ChangeReportStore(db),
    renderSegments: new RenderSegmentStore(db),
    snapshots: new SnapshotStore(db),
    deliveryItems: new DeliveryItemStore(db),
    managedAccounts: new ManagedAccountStore(db),
    alertState: new AlertStateStore(db),
    alertDeliveries: new AlertDeliveryStore(db),
    async pruneRunData(cutoff) {
      // A finished build's pages are the run's artifact; any other pages this old are of an abandoned
      // build (no build runs for days: 8 attempts of at most 2 hours), even if its record says running.
      await artifactPages.pruneAbandoned(cutoff, async (runId) => {
        const run = await store.runs.get(runId);
        return (run?.artifacts?.length ?? 0) > 0;
      });
      await store.staging.pruneOlderThan(cutoff);
      await store.renderSegments.pruneOlderThan(cutoff);
      await store.checkpoints.pruneOlderThan(cutoff);
      await store.deliveryItems.pruneOlderThan(cutoff, async (runId) => {
        const status = (await store.runs.get(runId))?.status;
        return status === 'running' || status === 'held';
      });
      // A run held for approval commits its planned snapshot if approved: kept while its hold waits,
      // and for a day once approved (its delivery). Any other run that planned this long ago and
      // says running is as abandoned as its build's pages above.
      await store.snapshots.pruneOlderThan(cutoff, async (runId) => {
        const run = await store.runs.get(runId);
        const now = Date.now();
        if (run?.status === 'held') return run.hold !== undefined && run.hold.expiresAt.getTime() > now;
        const approved = run?.status === 'running' ? run.hold?.decision : undefined;
        return approved?.approve === true && approved.at.getTime() > now - APPROVED_DELIVERY_MS;
      });
    },
    expireRunData: (cutoff) => expireRunData(db, store, cutoff),
    close: () => client.close(),
  };
  await store.runs.ensureIndexes();
  await store.staging.ensureIndexes();
  await store.checkpoints.ensureIndexes();
  await store.renderSegments.ensureIndexes();
  await store.snapshots.ensureIndexes();
  await store.deliveryItems.ensureIndexes();
  await store.managedAccounts.ensureIndexes();
  await store.alertDeliveries.ensureIndexes();
  return store;
}
