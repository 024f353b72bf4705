// First: it sets how the heap grows, before anything fills it.
import './heap-growth';
import { NativeConnection } from '@temporalio/worker';
import type { Logger } from '@temporalio/worker';
import { resolveConfigPath } from '../config/config-path';
import { resolveRuntimeSettings } from '../config/runtime';
import { readSetting } from '../core/env';
import { RosterflowError } from '../core/errors';
import { openStore } from '../store/store';
import { activitySlotsFromEnv } from './activity-slots';
import { createRosterflowWorker } from './create-worker';
import { runDataRetentionFromEnv } from './run-data-retention';
import { ensureSearchAttributes } from './search-attributes-check';
import { workerRuntimeOptions } from './logger';
import { installRuntime, metricsAddressFromEnv, startMetricsCollector } from './metrics';

const STAGED_DATA_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** A worker that runs for months prunes again each day, not only when it starts. */
const PRUNE_EVERY_MS = 24 * 60 * 60 * 1000;

/** The worker's logger once it exists, for the last line of a worker that stops on an error. */
let log: Logger | undefined;

/** The worker process: `npm run worker`, or `node dist/worker/main.js` in production. */
async function run(): Promise<void> {
  // JSON lines (ROSTERFLOW_LOG_FORMAT=pretty: readable ones); an expected activity failure is one line (worker/logger.ts).
  const runtime = workerRuntimeOptions('INFO');
  const { logger } = runtime;
  log = logger;
  const metricsAddress = metricsAddressFromEnv(process.env);
  installRuntime(runtime, metricsAddress);
  // A bad setting stops the worker before it connects anywhere.
  const maxConcurrentActivities = activitySlotsFromEnv(process.env);
  const retentionMs = runDataRetentionFromEnv(process.env);
  const settings = { ...(await resolveRuntimeSettings()), configPath: await resolveConfigPath() };
  const store = await openStore(settings.mongoUri, settings.dbName);
  const connection = await NativeConnection.connect(settings.temporal.connectionOptions);
  await ensureSearchAttributes(connection, settings.temporal.namespace, (line) => {
    logger.info(`rosterflow worker: ${line}`);
  });
  const prune = async () => {
    await store.pruneRunData(new Date(Date.now() - STAGED_DATA_RETENTION_MS));
    if (retentionMs === undefined) return;
    const expired = await store.expireRunData(new Date(Date.now() - retentionMs));
    if (expired > 0)
      logger.info(`rosterflow worker: dropped the artifacts and change reports of ${expired} expired runs`);
  };
  const pruning = setInterval(() => {
    prune().catch((err: unknown) => {
      // Tried again tomorrow; the runs themselves never depend on it.
      logger.warn(
        `rosterflow worker: pruning old run data failed (${err instanceof Error ? err.message : String(err)})`,
      );
    });
  }, PRUNE_EVERY_MS);
  pruning.unref();
  const warn = (message: string) => void logger.warn(message);
  const stopMetrics = metricsAddress === undefined ? undefined : startMetricsCollector(store.runs, warn);
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
    logger.info(`rosterflow worker: task queue ${settings.taskQueue}, config ${settings.configPath}`);
    // Resolves after SIGINT/SIGTERM once in-flight work has drained (the Runtime installs the handlers).
    await worker.run();
    logger.info('rosterflow worker: stopped');
  } finally {
    clearInterval(pruning);
    stopMetrics?.();
    await connection.close();
    await store.close();
  }
}

run().catch((err: unknown) => {
  // A setting or connection the operator must fix is one sentence on stderr; anything else is
  // logged with its stack.
  if (err instanceof RosterflowError) console.error(`rosterflow worker: ${err.message}`);
  else if (log) log.error('rosterflow worker: stopped by an unexpected error', { error: err });
  else console.error(err);
  process.exit(1);
});
