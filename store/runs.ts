import { MongoServerError } from 'mongodb';
import type { Collection, Db } from 'mongodb';
import type { RowRejection } from '../connectors/sdk/source';
import type {
  ArtifactRecord,
  ChangeReportSummary,
  DeliveryRecord,
  HoldDecision,
  HoldRecord,
  PlanRecord,
  RunCounts,
  RunEvent,
  RunRecord,
  RunStatus,
  RunTrigger,
  StepName,
  VendorRefusals,
} from './run-record';

/** How many rejected rows a run record keeps in full; the count covers the rest. */
export const MAX_RECORDED_REJECTIONS = 100;
const DUPLICATE_KEY = 11000;

export interface RunStart {
  runId: string;
  workflowId: string;
  syncId: string;
  trigger: RunTrigger;
  dryRun: boolean;
  startedAt: Date;
}

export class RunStore {
  private readonly runs: Collection<RunRecord>;

  constructor(db: Db) {
    this.runs = db.collection<RunRecord>('runs');
  }

  async ensureIndexes(): Promise<void> {
    await this.runs.createIndex({ syncId: 1, startedAt: -1 });
    await this.runs.createIndex({ startedAt: -1 });
    await this.runs.createIndex({ status: 1, startedAt: 1 });
    await this.runs.createIndex({ workflowId: 1, startedAt: -1 });
  }

  /** Idempotent: a retried start leaves the first record as it is. */
  async start(run: RunStart): Promise<void> {
    // insertOne rather than an upsert with $setOnInsert: FerretDB v1 drops empty arrays from the latter.
    try {
      await this.runs.insertOne({ ...run, _id: run.runId, status: 'running', steps: {}, counts: {}, rejections: [] });
    } catch (err) {
      if (!(err instanceof MongoServerError && err.code === DUPLICATE_KEY)) throw err;
    }
  }

  async get(runId: string): Promise<RunRecord | null> {
    return this.runs.findOne({ _id: runId });
  }

  async setResolved(runId: string, fields: { sync: unknown; sourceType: string; targetType: string }): Promise<void> {
    await this.runs.updateOne({ _id: runId }, { $set: fields });
  }

  async stepStarted(runId: string, step: StepName, attempt: number): Promise<void> {
    await this.runs.updateOne(
      { _id: runId },
      { $set: { [`steps.${step}`]: { status: 'running', attempt, startedAt: new Date() } } },
    );
  }

  async stepFinished(runId: string, step: StepName, startedAt: Date, error?: string): Promise<void> {
    const finishedAt = new Date();
    const prefix = `steps.${step}`;
    await this.runs.updateOne(
      { _id: runId },
      {
        $set: {
          [`${prefix}.status`]: error === undefined ? 'succeeded' : 'failed',
          [`${prefix}.finishedAt`]: finishedAt,
          [`${prefix}.durationMs`]: finishedAt.getTime() - startedAt.getTime(),
          ...(error === undefined ? {} : { [`${prefix}.error`]: error }),
        },
      },
    );
  }

  async setCounts(runId: string, counts: RunCounts): Promise<void> {
    const fields = Object.fromEntries(Object.entries(counts).map(([name, value]) => [`counts.${name}`, value]));
    await this.runs.updateOne({ _id: runId }, { $set: fields });
  }

  async setRejections(runId: string, rejections: RowRejection[]): Promise<void> {
    await this.runs.updateOne({ _id: runId }, { $set: { rejections: rejections.slice(0, MAX_RECORDED_REJECTIONS) } });
  }

  /**
   * Appends the render step's rejections to the source's, keeping at most MAX_RECORDED_REJECTIONS.
   * Idempotent: a retried render that already recorded them does not list them twice.
   */
  async addRejections(runId: string, rejections: RowRejection[]): Promise<void> {
    const run = await this.runs.findOne({ _id: runId }, { projection: { rejections: 1 } });
    const recorded = run?.rejections ?? [];
    const key = (rejection: RowRejection) => JSON.stringify([rejection.row, rejection.field, rejection.reason]);
    const seen = new Set(recorded.map(key));
    const kept = [...recorded, ...rejections.filter((rejection) => !seen.has(key(rejection)))].slice(
      0,
      MAX_RECORDED_REJECTIONS,
    );
    await this.runs.updateOne({ _id: runId }, { $set: { rejections: kept } });
  }

  async setArtifacts(runId: string, artifacts: ArtifactRecord[]): Promise<void> {
    await this.runs.updateOne({ _id: runId }, { $set: { artifacts } });
  }

  async addEvent(runId: string, event: RunEvent): Promise<void> {
    await this.runs.updateOne({ _id: runId }, { $push: { events: event } });
  }

  async updateDelivery(runId: string, fields: Partial<DeliveryRecord>): Promise<void> {
    const set = Object.fromEntries(Object.entries(fields).map(([name, value]) => [`delivery.${name}`, value]));
    await this.runs.updateOne({ _id: runId }, { $set: set });
  }

  /** The rows the target's vendor refused (the first MAX_RECORDED_REJECTIONS of them) and their count. */
  async setVendorRefusals(runId: string, refusals: VendorRefusals): Promise<void> {
    const refused = { ...refusals, rows: refusals.rows.slice(0, MAX_RECORDED_REJECTIONS) };
    await this.runs.updateOne(
      { _id: runId },
      { $set: { 'delivery.refused': refused, 'counts.vendorRefused': refusals.count } },
    );
  }

  async setDelivery(runId: string, delivery: DeliveryRecord): Promise<void> {
    await this.runs.updateOne({ _id: runId }, { $set: { delivery } });
  }

  async finish(runId: string, status: Exclude<RunStatus, 'running'>, error?: { type: string; message: string }) {
    const run = await this.runs.findOne({ _id: runId }, { projection: { startedAt: 1 } });
    const finishedAt = new Date();
    await this.runs.updateOne(
      { _id: runId },
      {
        $set: {
          status,
          finishedAt,
          ...(run ? { durationMs: finishedAt.getTime() - run.startedAt.getTime() } : {}),
          ...(error ? { error } : {}),
        },
      },
    );
  }

  /** Its artifact pages and change report were dropped by the retention (store/retention.ts). */
  async markDataExpired(runId: string, at: Date): Promise<void> {
    await this.runs.updateOne({ _id: runId }, { $set: { dataExpiredAt: at } });
  }

  /** Never over a later plan attempt's report: a superseded attempt finishing late leaves it as it is. */
  async setChanges(runId: string, changes: ChangeReportSummary, attempt: number): Promise<void> {
    await this.runs.updateOne(
      { _id: runId, $or: [{ 'changes.attempt': { $exists: false } }, { 'changes.attempt': { $lte: attempt } }] },
      { $set: { changes } },
    );
  }

  async setPlan(runId: string, plan: PlanRecord): Promise<void> {
    await this.runs.updateOne({ _id: runId }, { $set: { plan } });
  }

  /** Marks a run held for an operator's decision. */
  async hold(runId: string, hold: HoldRecord): Promise<void> {
    await this.runs.updateOne({ _id: runId }, { $set: { status: 'held', hold } });
  }

  /** Records how a hold ended (a decision, or none in time); an approved run is running again. */
  async endHold(runId: string, outcome: { decision: HoldDecision } | { expired: true }): Promise<void> {
    const approved = 'decision' in outcome && outcome.decision.approve;
    await this.runs.updateOne(
      { _id: runId },
      {
        $set: {
          ...('decision' in outcome ? { 'hold.decision': outcome.decision } : { 'hold.expired': true }),
          // A rejected or expired run stays `held` for the instant until finishRun records it failed.
          ...(approved ? { status: 'running' } : {}),
        },
      },
    );
  }

  /** Runs waiting for a decision, oldest hold first, optionally of one sync. */
  async held(options: { syncId?: string } = {}): Promise<RunRecord[]> {
    const filter = { status: 'held' as const, ...(options.syncId === undefined ? {} : { syncId: options.syncId }) };
    return this.runs
      .find(filter, { projection: { sync: 0 } })
      .sort({ startedAt: 1 })
      .toArray();
  }

  /** The newest run of a workflow id (a workflow that continued as new or was reset has several). */
  async latestOfWorkflow(workflowId: string): Promise<RunRecord | null> {
    const [run] = await this.runs.find({ workflowId }).sort({ startedAt: -1 }).limit(1).toArray();
    return run ?? null;
  }

  /** Every sync id with at least one recorded run. */
  async syncIds(): Promise<string[]> {
    return (await this.runs.distinct('syncId')).sort();
  }

  /** Most recent runs first, optionally of one sync. */
  async recent(options: { syncId?: string; limit: number }): Promise<RunRecord[]> {
    const filter = options.syncId === undefined ? {} : { syncId: options.syncId };
    return this.runs
      .find(filter, { projection: { sync: 0 } })
      .sort({ startedAt: -1 })
      .limit(options.limit)
      .toArray();
  }
}
