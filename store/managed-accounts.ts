import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';
import { UPDATE_BATCH } from './delivery-items';

interface ManagedAccountDocument {
  _id: string;
  /** Whose accounts: one sync's target (its id and the target's location). */
  scope: string;
  /** The person's HR id. */
  key: string;
  /** The app's id of the account. */
  remoteId: string;
  updatedAt: Date;
}

/**
 * The accounts a per-person target manages in an app (`managed_accounts`): those it created or
 * matched by HR id. Someone gone from the source is deactivated only if listed here, so the app's
 * other users (added by hand, by another directory) are never touched.
 */
export class ManagedAccountStore {
  private readonly accounts: Collection<ManagedAccountDocument>;

  constructor(db: Db) {
    this.accounts = db.collection<ManagedAccountDocument>('managed_accounts');
  }

  async ensureIndexes(): Promise<void> {
    await this.accounts.createIndex({ scope: 1 });
  }

  /** The scope's accounts: HR id to account id. */
  async load(scope: string): Promise<Map<string, string>> {
    const accounts = new Map<string, string>();
    for await (const account of this.accounts.find({ scope }, { projection: { key: 1, remoteId: 1 } })) {
      accounts.set(account.key, account.remoteId);
    }
    return accounts;
  }

  async record(scope: string, accounts: ReadonlyMap<string, string>): Promise<void> {
    const updatedAt = new Date();
    const operations: AnyBulkWriteOperation<ManagedAccountDocument>[] = [...accounts].map(([key, remoteId]) => ({
      replaceOne: {
        filter: { _id: accountId(scope, key) },
        replacement: { scope, key, remoteId, updatedAt },
        upsert: true,
      },
    }));
    for (let start = 0; start < operations.length; start += UPDATE_BATCH) {
      await this.accounts.bulkWrite(operations.slice(start, start + UPDATE_BATCH), { ordered: false });
    }
  }

  async forget(scope: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.accounts.deleteMany({ _id: { $in: keys.map((key) => accountId(scope, key)) } });
  }
}

/** Unambiguous whatever the two hold (FerretDB's SQL backends store no NUL characters, so no separator byte). */
function accountId(scope: string, key: string): string {
  return JSON.stringify([scope, key]);
}
