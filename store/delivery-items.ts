import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';

/** What a per-person delivery plans for one person. */
export type DeliveryAction = 'create' | 'update' | 'deactivate' | 'delete' | 'unchanged';
/** What became of it. */
export type DeliveryItemOutcome = 'created' | 'updated' | 'deactivated' | 'deleted' | 'unchanged' | 'failed';
/**
 * `pending`: not sent. `sending`: its write may be in flight (a crash leaves it so); before sending
 * again the delivery looks at the app to learn whether it landed. `done` / `failed`: settled (as
 * planned, for a person with nothing to send, or by a window's outcomes).
 */
export type DeliveryItemState = 'pending' | 'sending' | 'done' | 'failed';

export interface DeliveryItemError {
  status?: number;
  /** The vendor's code (SCIM's scimType), never its free text. */
  code?: string;
  /** Our own sentence: what was refused, by whom, never a value. */
  message: string;
}

/** One person's planned write in one run of a per-person target (SCIM). Holds personal data: MongoDB only. */
export interface DeliveryItem {
  seq: number;
  /** The person's HR id (the target's externalId). */
  key: string;
  action: DeliveryAction;
  /** Why, for a deactivation: `left` (a leaver in the source) or `gone` (no longer in the source). */
  reason?: 'left' | 'gone';
  /** The app's id of the person's account, once known. */
  remoteId?: string;
  /** What to send: the new resource, or the change operations. */
  payload?: unknown;
  state: DeliveryItemState;
  outcome?: DeliveryItemOutcome;
  error?: DeliveryItemError;
}

interface DeliveryItemDocument extends Omit<DeliveryItem, 'payload'> {
  _id: string;
  /**
   * The payload as JSON text: a SCIM resource has keys with dots (the enterprise schema's URN),
   * which MongoDB-compatible servers may refuse as field names.
   */
  payload?: string;
  runId: string;
  createdAt: Date;
}

/** A settled item: what happened and, for a created account, its id. */
export interface DeliveryItemResult {
  seq: number;
  state: 'done' | 'failed';
  outcome: DeliveryItemOutcome;
  remoteId?: string;
  error?: DeliveryItemError;
}

/** The outcomes of one window of writes, appended once it is settled. */
interface DeliveryOutcomeDocument {
  _id: string;
  runId: string;
  results: DeliveryItemResult[];
  /** Which activity (by the order the workflow scheduled it) and attempt settled them: the later one stands. */
  activityOrder: number;
  attempt: number;
  createdAt: Date;
}

/** How a run's people ended, and the first ones refused (in plan order). */
export interface DeliverySummary {
  counts: Partial<Record<DeliveryItemOutcome, number>>;
  failures: (DeliveryItemResult & { key: string })[];
}

const INSERT_BATCH = 1000;

/**
 * The per-person plan and outcomes of each run of a per-person target. Both are appended, never
 * updated: the plan once (`delivery_items`, one document per person, already settled for a person
 * with nothing to send), then one document per settled window of writes (`delivery_outcomes`). The
 * embedded FerretDB answers every update, even by `_id`, by reading the whole collection (about 50 ms
 * a write at 10,000 items) while an insert stays about 2 ms, so a state field moved per person made a
 * 10,000-person delivery spend most of its time in the store. Which items may be in flight is the
 * delivery's own fenced checkpoint; an item's state is derived from the two when read.
 */
export class DeliveryItemStore {
  private readonly items: Collection<DeliveryItemDocument>;
  private readonly outcomes: Collection<DeliveryOutcomeDocument>;

  constructor(db: Db) {
    this.items = db.collection<DeliveryItemDocument>('delivery_items');
    this.outcomes = db.collection<DeliveryOutcomeDocument>('delivery_outcomes');
  }

  async ensureIndexes(): Promise<void> {
    await this.items.createIndex({ runId: 1, seq: 1 });
    await this.items.createIndex({ createdAt: 1 });
    await this.outcomes.createIndex({ runId: 1 });
    await this.outcomes.createIndex({ createdAt: 1 });
  }

  /** Writes a run's plan, replacing whatever an interrupted planning attempt left. */
  async replacePlan(runId: string, items: readonly DeliveryItem[], onBatch?: (written: number) => void): Promise<void> {
    await this.items.deleteMany({ runId });
    await this.outcomes.deleteMany({ runId });
    const createdAt = new Date();
    for (let start = 0; start < items.length; start += INSERT_BATCH) {
      const batch = items.slice(start, start + INSERT_BATCH).map(({ payload, ...item }) => ({
        ...item,
        ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
        _id: `${runId}:${item.seq}`,
        runId,
        createdAt,
      }));
      await this.items.insertMany(batch, { ordered: false });
      onBatch?.(start + batch.length);
    }
  }

  /**
   * Where a run's delivery stands, read once per step with one pass over each collection (a filter on
   * anything but `_id` reads the whole collection on the embedded FerretDB): its unsettled items in
   * plan order, those `inFlight` lists `sending` and the rest `pending`; and every known account id by
   * person (the app's, and those created so far), for references between people (a manager).
   */
  async standing(
    runId: string,
    inFlight: readonly number[] = [],
  ): Promise<{ unsettled: DeliveryItem[]; remoteIds: Map<string, string> }> {
    const results = await this.results(runId);
    const sending = new Set(inFlight);
    const unsettled: DeliveryItem[] = [];
    const remoteIds = new Map<string, string>();
    const cursor = this.items.find({ runId }, { projection: { _id: 0, runId: 0, createdAt: 0 } }).sort({ seq: 1 });
    for await (const { payload, ...item } of cursor) {
      const result = results.get(item.seq);
      const remoteId = result?.remoteId ?? item.remoteId;
      if (remoteId) remoteIds.set(item.key, remoteId);
      if (item.state !== 'pending' || result) continue;
      unsettled.push({
        ...item,
        state: sending.has(item.seq) ? 'sending' : 'pending',
        ...(payload === undefined ? {} : { payload: JSON.parse(payload) as unknown }),
      });
    }
    return { unsettled, remoteIds };
  }

  /** Records a window's outcomes in one insert, as settled by `by` (the step activity's id and attempt). */
  async settle(
    runId: string,
    results: readonly DeliveryItemResult[],
    by: { activityId: string; attempt: number },
  ): Promise<void> {
    if (results.length === 0) return;
    const order = Number(by.activityId);
    await this.outcomes.insertOne({
      _id: `${runId}:${results[0]!.seq}:${randomUUID()}`,
      runId,
      results: [...results],
      activityOrder: Number.isSafeInteger(order) ? order : 0,
      attempt: by.attempt,
      createdAt: new Date(),
    });
  }

  /** How many people ended each way, and the first `failureLimit` refused, in plan order. */
  async summary(runId: string, failureLimit: number): Promise<DeliverySummary> {
    const results = await this.results(runId);
    const counts: DeliverySummary['counts'] = {};
    const failures: DeliverySummary['failures'] = [];
    const cursor = this.items
      .find({ runId }, { projection: { _id: 0, seq: 1, key: 1, state: 1, outcome: 1, remoteId: 1, error: 1 } })
      .sort({ seq: 1 });
    for await (const item of cursor) {
      const result: DeliveryItemResult | undefined =
        results.get(item.seq) ??
        (item.state === 'done' || item.state === 'failed'
          ? {
              seq: item.seq,
              state: item.state,
              outcome: item.outcome ?? (item.state === 'done' ? 'unchanged' : 'failed'),
              ...(item.remoteId ? { remoteId: item.remoteId } : {}),
              ...(item.error ? { error: item.error } : {}),
            }
          : undefined);
      if (!result) continue;
      counts[result.outcome] = (counts[result.outcome] ?? 0) + 1;
      if (result.state === 'failed' && failures.length < failureLimit) failures.push({ ...result, key: item.key });
    }
    return { counts, failures };
  }

  /**
   * The settled results by item. Two attempts may both have settled an item (one Temporal gave up on
   * landing its write late): the later attempt's stands, whenever its document was written.
   */
  private async results(runId: string): Promise<Map<number, DeliveryItemResult>> {
    const results = new Map<number, DeliveryItemResult>();
    const cursor = this.outcomes
      .find({ runId }, { projection: { _id: 0, results: 1 } })
      .sort({ activityOrder: 1, attempt: 1, createdAt: 1 });
    for await (const document of cursor) for (const result of document.results) results.set(result.seq, result);
    return results;
  }

  /**
   * Deletes the items and outcomes of runs planned before `cutoff`, but never of a run `stillNeeded`
   * says is open (a long hold, a delivery paced over days): they are where its delivery stands.
   */
  async pruneOlderThan(cutoff: Date, stillNeeded: (runId: string) => Promise<boolean>): Promise<number> {
    const runIds: string[] = await this.items.distinct('runId', { createdAt: { $lt: cutoff } });
    let deleted = 0;
    for (const runId of runIds) {
      if (await stillNeeded(runId)) continue;
      deleted += (await this.items.deleteMany({ runId })).deletedCount;
      await this.outcomes.deleteMany({ runId });
    }
    return deleted;
  }
}
