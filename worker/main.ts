// First: it sets how the heap grows, before anything fills it.
import './heap-growth';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { resolveConfigPath } from '../config/config-path';
import { resolveRuntimeSettings } from '../config/runtime';
import { readSetting } from '../core/env';
import { RosterflowError } from '../core/errors';
import { openStore } from '../store/store';
import { activitySlotsFromEnv } from './activity-slots';
import { createRosterflowWorker } from './create-worker';
import { workerRuntimeOptions } from './logger';

const STAGED_DATA_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** A worker that runs for months prunes again each day, not only when it starts. */
const PRUNE_EVERY_MS = 24 * 60 * 60 * 1000;

/** The worker process: `npm run worker`, or `node dist/worker/main.js` in production. */
async function run(): Promise<void> {
  // One line per entry; an expected activity failure without its stack (worker/logger.ts).
  Runtime.install(workerRuntimeOptions('INFO'));
  // A bad setting stops the worker before it connects anywhere.
  const maxConcurrentActivities = activitySlotsFromEnv(process.env);
  const settings = { ...(await resolveRuntimeSettings()), configPath: await resolveConfigPath() };
  const store = await openStore(settings.mongoUri, settings.dbName);
  const connection = await NativeConnection.connect(settings.temporal.connectionOptions);
  const prune = () => store.pruneRunData(new Date(Date.now() - STAGED_DATA_RETENTION_MS));
  const pruning = setInterval(() => {
    prune().catch((err: unknown) => {
      // Tried again tomorrow; the runs themselves never depend on it.
      console.error(
        `rosterflow worker: pruning old run data failed (${err instanceof Error ? err.message : String(err)})`,
      );
    });
  }, PRUNE_EVERY_MS);
  pruning.unref();
  try {
    await prune();
    const worker = await createRosterflowWorker({
      connection,
      namespace: settings.temporal.namespace,
      taskQueue: settings.taskQueue,
      store,
      configPath: settings.configPath,
      workflowBundlePath: readSetting(process.env, 'ROSTERFLOW_WORKFLOW_BUNDLE'),
      maxConcurrentActivities,
    });
    console.log(`rosterflow worker: task queue "${settings.taskQueue}", config ${settings.configPath}`);
    // Resolves after SIGINT/SIGTERM once in-flight work has drained (the Runtime installs the handlers).
    await worker.run();
  } finally {
    clearInterval(pruning);
    await connection.close();
    await store.close();
  }
}

run().catch((err: unknown) => {
  // A setting or connection the operator must fix is one sentence; anything else keeps its stack.
  console.error(err instanceof RosterflowError ? `rosterflow worker: ${err.message}` : err);
  process.exit(1);
});
