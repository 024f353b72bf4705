import { MongoServerError } from 'mongodb';
import type { Collection, Document, OptionalUnlessRequiredId } from 'mongodb';

const DUPLICATE_KEY = 11000;

/**
 * Writes a document by `_id`: an insert, or a replace when one is already there. The same as
 * `replaceOne(..., { upsert: true })`, but the usual case (a new page or segment) costs one insert:
 * FerretDB's SQLite backend, the embedded default store, answers a filtered replace by scanning the
 * whole collection (about 100 ms per write at 3,000 staged pages) while an insert stays about 2 ms.
 */
export async function insertOrReplace<T extends Document & { _id: string | number }>(
  collection: Collection<T>,
  document: T,
): Promise<void> {
  try {
    await collection.insertOne(document as OptionalUnlessRequiredId<T>);
  } catch (err) {
    if (!(err instanceof MongoServerError && err.code === DUPLICATE_KEY)) throw err;
    const { _id, ...rest } = document;
    await collection.replaceOne({ _id } as Parameters<Collection<T>['replaceOne']>[0], rest);
  }
}
