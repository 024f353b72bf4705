import { MongoBulkWriteError } from 'mongodb';
import type { Collection, Db, WriteError } from 'mongodb';

const INSERT_BATCH = 1000;
const DUPLICATE_KEY = 11000;

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

  /**
   * Records accounts as this scope's: inserted, since nearly all are new (an update reads the whole
   * collection on the embedded FerretDB); one already listed, with another id, is replaced.
   */
  async record(scope: string, accounts: ReadonlyMap<string, string>): Promise<void> {
    const updatedAt = new Date();
    const documents = [...accounts].map(([key, remoteId]) => ({
      _id: accountId(scope, key),
      scope,
      key,
      remoteId,
      updatedAt,
    }));
    for (let start = 0; start < documents.length; start += INSERT_BATCH) {
      const batch = documents.slice(start, start + INSERT_BATCH);
      try {
        await this.accounts.insertMany(batch, { ordered: false });
      } catch (err) {
        if (!(err instanceof MongoBulkWriteError)) throw err;
        const errors = ([] as WriteError[]).concat(err.writeErrors);
        for (const error of errors) {
          if (error.code !== DUPLICATE_KEY) throw err;
          const { _id, ...rest } = batch[error.index]!;
          await this.accounts.replaceOne({ _id }, rest);
        }
      }
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
