import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';

/** What a per-person delivery plans for one person. */
export type DeliveryAction = 'create' | 'update' | 'deactivate' | 'delete' | 'unchanged';
/** What became of it. */
export type DeliveryItemOutcome = 'created' | 'updated' | 'deactivated' | 'deleted' | 'unchanged' | 'failed';
/**
 * `pending`: not sent. `sending`: its write may be in flight (a crash leaves it so); before sending
 * again the delivery looks at the app to learn whether it landed. `done` / `failed`: settled.
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
  /** What to send: the new resource, or the change operations. Dropped once settled. */
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

const INSERT_BATCH = 1000;
/**
 * Updates per bulk write: the embedded FerretDB stops answering an update command of 100 statements
 * or more (found by the SCIM bench: a window's outcomes never settled), so they go in smaller ones.
 */
export const UPDATE_BATCH = 50;

/**
 * The per-person plan and outcome of each run of a per-person target, one document per person
 * (`delivery_items`). The delivery works through them in `seq` order; each one's state is its
 * checkpoint, so a retried attempt on any worker sends nothing twice.
 */
export class DeliveryItemStore {
  private readonly items: Collection<DeliveryItemDocument>;

  constructor(db: Db) {
    this.items = db.collection<DeliveryItemDocument>('delivery_items');
  }

  async ensureIndexes(): Promise<void> {
    await this.items.createIndex({ runId: 1, seq: 1 });
    await this.items.createIndex({ runId: 1, state: 1 });
    await this.items.createIndex({ createdAt: 1 });
  }

  /** Writes a run's plan, replacing whatever an interrupted planning attempt left. */
  async replacePlan(runId: string, items: readonly DeliveryItem[], onBatch?: (written: number) => void): Promise<void> {
    await this.items.deleteMany({ runId });
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
   * The run's unsettled items in plan order, read once per step: the embedded FerretDB answers a
   * filter on anything but `_id` by reading the whole collection, so a query per window would make
   * a 10,000-person delivery read it a hundred times. Updates below go by `_id` for the same reason.
   */
  async unsettled(runId: string): Promise<DeliveryItem[]> {
    const found = await this.items
      .find({ runId, state: { $in: ['pending', 'sending'] } }, { projection: { _id: 0, runId: 0, createdAt: 0 } })
      .sort({ seq: 1 })
      .toArray();
    return found.map(({ payload, ...item }) => ({
      ...item,
      ...(payload === undefined ? {} : { payload: JSON.parse(payload) as unknown }),
    }));
  }

  /** Marks items as possibly in flight, before their writes are sent. */
  async markSending(runId: string, seqs: readonly number[]): Promise<void> {
    await this.moveState(runId, seqs, 'sending');
  }

  /** Puts back items marked in flight whose writes were never sent (the step stopped before them). */
  async markPending(runId: string, seqs: readonly number[]): Promise<void> {
    await this.moveState(runId, seqs, 'pending');
  }

  /** By `_id` alone (the only filter the embedded FerretDB looks up instead of scanning): the caller read these as `from`. */
  private async moveState(runId: string, seqs: readonly number[], to: DeliveryItemState) {
    const operations: AnyBulkWriteOperation<DeliveryItemDocument>[] = seqs.map((seq) => ({
      updateOne: { filter: { _id: `${runId}:${seq}` }, update: { $set: { state: to } } },
    }));
    for (let start = 0; start < operations.length; start += UPDATE_BATCH) {
      await this.items.bulkWrite(operations.slice(start, start + UPDATE_BATCH), { ordered: false });
    }
  }

  /** Settles items in one round trip; their payloads go (an outcome needs no values). */
  async settle(runId: string, results: readonly DeliveryItemResult[]): Promise<void> {
    if (results.length === 0) return;
    const operations: AnyBulkWriteOperation<DeliveryItemDocument>[] = results.map((result) => ({
      updateOne: {
        filter: { _id: `${runId}:${result.seq}` },
        update: {
          $set: {
            state: result.state,
            outcome: result.outcome,
            ...(result.remoteId === undefined ? {} : { remoteId: result.remoteId }),
            ...(result.error === undefined ? {} : { error: result.error }),
          },
          $unset: { payload: '' },
        },
      },
    }));
    for (let start = 0; start < operations.length; start += UPDATE_BATCH) {
      await this.items.bulkWrite(operations.slice(start, start + UPDATE_BATCH), { ordered: false });
    }
  }

  /** Every known account id by person, for references between people (a manager). */
  async remoteIds(runId: string): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    const cursor = this.items.find(
      { runId, remoteId: { $exists: true } },
      { projection: { _id: 0, key: 1, remoteId: 1 } },
    );
    for await (const item of cursor) if (item.remoteId) ids.set(item.key, item.remoteId);
    return ids;
  }

  /** How many people ended each way. */
  async outcomes(runId: string): Promise<Partial<Record<DeliveryItemOutcome, number>>> {
    const counts: Partial<Record<DeliveryItemOutcome, number>> = {};
    const outcomes: DeliveryItemOutcome[] = ['created', 'updated', 'deactivated', 'deleted', 'unchanged', 'failed'];
    for (const outcome of outcomes) {
      const count = await this.items.countDocuments({ runId, outcome });
      if (count > 0) counts[outcome] = count;
    }
    return counts;
  }

  /** The first failed people, in plan order. */
  async failures(runId: string, limit: number): Promise<Omit<DeliveryItem, 'payload'>[]> {
    return this.items
      .find({ runId, state: 'failed' }, { projection: { _id: 0, runId: 0, createdAt: 0, payload: 0 } })
      .sort({ seq: 1 })
      .limit(limit)
      .toArray();
  }

  /**
   * Deletes the items of runs planned before `cutoff`, but never of a run `stillNeeded` says is open (a
   * long hold, a delivery paced over days): its items are where its delivery stands.
   */
  async pruneOlderThan(cutoff: Date, stillNeeded: (runId: string) => Promise<boolean>): Promise<number> {
    const runIds: string[] = await this.items.distinct('runId', { createdAt: { $lt: cutoff } });
    let deleted = 0;
    for (const runId of runIds) {
      if (await stillNeeded(runId)) continue;
      deleted += (await this.items.deleteMany({ runId })).deletedCount;
    }
    return deleted;
  }
}
