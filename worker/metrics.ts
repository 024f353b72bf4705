import { isIP } from 'node:net';
import { Runtime } from '@temporalio/worker';
import type { RuntimeOptions } from '@temporalio/worker';
import {
  heldRunsBySync,
  initializeSeries,
  knownSync,
  recordMetricsWith,
  setHeldRunGauges,
} from '../activities/metrics';
import { readSetting } from '../core/env';
import { RosterflowError } from '../core/errors';
import type { RunStore } from '../store/runs';

export const METRICS_ADDRESS_ENV = 'ROSTERFLOW_METRICS_ADDRESS';

/** How often the worker re-reads the held runs for the holds gauges (their ages move with the clock). */
export const HELD_RUNS_EVERY_MS = 30_000;

/**
 * Buckets of rosterflow's duration histograms, in seconds: from a step of a small roster to a run
 * held over a weekend (a run's duration includes its holds).
 */
export const DURATION_BUCKETS_SECONDS = [
  0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400, 259200,
];

/**
 * ROSTERFLOW_METRICS_ADDRESS: where the worker serves Prometheus metrics (`/metrics`), an IP address
 * and port such as 127.0.0.1:9464, 0.0.0.0:9464 or [::]:9464 (the SDK binds it as given, so no host
 * names); unset serves none. A bad value is one sentence naming the setting.
 */
export function metricsAddressFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const text = readSetting(env, METRICS_ADDRESS_ENV)?.trim();
  if (text === undefined) return undefined;
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const ipv6 = match?.[1];
  const host = ipv6 ?? match?.[2] ?? '';
  const port = Number(match?.[3]);
  if (isIP(host) !== (ipv6 === undefined ? 4 : 6) || port < 1 || port > 65535) {
    throw new RosterflowError(
      'InvalidConfig',
      `${METRICS_ADDRESS_ENV} must be an IP address and port to serve metrics on, such as 127.0.0.1:9464 or 0.0.0.0:9464 (got "${text}")`,
    );
  }
  return text;
}

/**
 * The worker's Runtime options with the SDK's Prometheus exporter added when an address is given:
 * it serves the SDK's own `temporal_*` worker metrics and rosterflow's series (activities/metrics.ts).
 */
export function withMetricsExporter<T extends Pick<RuntimeOptions, 'telemetryOptions'>>(
  options: T,
  address: string | undefined,
): T {
  if (address === undefined) return options;
  return {
    ...options,
    telemetryOptions: {
      ...options.telemetryOptions,
      metrics: {
        prometheus: {
          bindAddress: address,
          histogramBucketOverrides: { rosterflow_: DURATION_BUCKETS_SECONDS },
        },
      },
    },
  };
}

/**
 * Installs the worker's Runtime with the metrics exporter (see withMetricsExporter) and points
 * rosterflow's series at it. An address the exporter cannot bind (a port in use, an address not on
 * this machine) is one sentence naming the setting.
 */
export function installRuntime(options: RuntimeOptions, address: string | undefined): void {
  try {
    Runtime.install(withMetricsExporter(options, address));
  } catch (err) {
    const reason = err instanceof Error ? /prometheus metrics exporter: (.+)$/.exec(err.message)?.[1] : undefined;
    if (address === undefined || reason === undefined) throw err;
    throw new RosterflowError('InvalidConfig', `${METRICS_ADDRESS_ENV} ${address} cannot be served: ${reason}`);
  }
  if (address !== undefined) recordMetricsWith(Runtime.instance().metricMeter);
}

/** Runs a sync's KnownSync is read from: enough to find its target and, nearly always, its last delivery. */
const RECENT_RUNS_READ = 50;

/**
 * The worker's side of the metrics: at start, every known sync's counters at zero and its last
 * delivery's time (activities/metrics.ts initializeSeries); then the holds gauges, from the held runs
 * now and every HELD_RUNS_EVERY_MS (a timer that never keeps the process alive). Returns the
 * function that stops it. A failed read is a warning: the runs never depend on metrics.
 */
export function startMetricsCollector(
  runs: Pick<RunStore, 'held' | 'syncIds' | 'recent'>,
  warn: (message: string) => void,
): () => void {
  const reported = new Set<string>();
  const failed = (what: string) => (err: unknown) =>
    warn(`rosterflow worker: ${what} for metrics failed (${err instanceof Error ? err.message : String(err)})`);
  const collectHolds = async () => {
    const values = heldRunsBySync(await runs.held(), new Date(), reported);
    setHeldRunGauges(values);
    for (const value of values) reported.add(value.syncId);
  };
  const start = async () => {
    const syncIds = await runs.syncIds();
    const known = [];
    // One sync after another: a worker's start need not be quick here, and the store has other work.
    for (const syncId of syncIds) known.push(knownSync(syncId, await runs.recent({ syncId, limit: RECENT_RUNS_READ })));
    initializeSeries(known);
    for (const syncId of syncIds) reported.add(syncId);
  };
  const ready = start().catch(failed('reading the recorded syncs'));
  const timer = setInterval(() => void collectHolds().catch(failed('reading held runs')), HELD_RUNS_EVERY_MS);
  timer.unref();
  void ready.then(() => collectHolds().catch(failed('reading held runs')));
  return () => clearInterval(timer);
}
