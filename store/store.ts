import { MongoClient } from 'mongodb';
import { ArtifactStore } from './artifacts';
import { RunStore } from './runs';
import { StagingStore } from './staging';

export interface Store {
  runs: RunStore;
  staging: StagingStore;
  artifacts: ArtifactStore;
  close(): Promise<void>;
}

/** Connects to MongoDB (or a wire-compatible server) and makes sure the indexes the CLI relies on exist. */
export async function openStore(uri: string, dbName: string): Promise<Store> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000, appName: 'rosterflow' });
  const db = client.db(dbName);
  const store: Store = {
    runs: new RunStore(db),
    staging: new StagingStore(db),
    artifacts: new ArtifactStore(db),
    close: () => client.close(),
  };
  await store.runs.ensureIndexes();
  await store.staging.ensureIndexes();
  return store;
}
