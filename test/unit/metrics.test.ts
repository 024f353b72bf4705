import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { employeeOutcomes, finishedStatusLabel, heldRunsBySync, knownSync } from '../../activities/metrics';
import type { RunRecord } from '../../store/run-record';
import { DURATION_BUCKETS_SECONDS, metricsAddressFromEnv, withMetricsExporter } from '../../worker/metrics';

const ROOT = join(__dirname, '..', '..');
/** Nothing listens here: a worker that gets as far as connecting fails differently. */
const NOWHERE = { MONGODB_URI: 'mongodb://127.0.0.1:9/none', TEMPORAL_ADDRESS: '127.0.0.1:9' };

/** worker/main.ts as a child process (not spawnSync: this process must keep serving the taken port). */
async function runWorker(env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'worker', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...NOWHERE, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [status] = (await once(child, 'exit')) as [number | null];
  return { status, stderr };
}

describe('ROSTERFLOW_METRICS_ADDRESS', () => {
  it('is off when unset or empty, and takes an IPv4 or bracketed IPv6 address with a port', () => {
    expect(metricsAddressFromEnv({})).toBeUndefined();
    expect(metricsAddressFromEnv({ ROSTERFLOW_METRICS_ADDRESS: '' })).toBeUndefined();
    expect(metricsAddressFromEnv({ ROSTERFLOW_METRICS_ADDRESS: ' 127.0.0.1:9464 ' })).toBe('127.0.0.1:9464');
    expect(metricsAddressFromEnv({ ROSTERFLOW_METRICS_ADDRESS: '0.0.0.0:1' })).toBe('0.0.0.0:1');
    expect(metricsAddressFromEnv({ ROSTERFLOW_METRICS_ADDRESS: '[::]:65535' })).toBe('[::]:65535');
  });

  it.each(['9464', 'localhost:9464', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', '::1:9464', '[127.0.0.1]:9464'])(
    'refuses "%s" in one sentence naming the setting',
    (value) => {
      expect(() => metricsAddressFromEnv({ ROSTERFLOW_METRICS_ADDRESS: value })).toThrow(
        `ROSTERFLOW_METRICS_ADDRESS must be an IP address and port to serve metrics on, such as 127.0.0.1:9464 or 0.0.0.0:9464 (got "${value}")`,
      );
    },
  );

  it("adds the SDK's Prometheus exporter beside the logging options, and nothing when unset", () => {
    const logging = { logging: { forward: {}, filter: { core: 'WARN' as const, other: 'ERROR' as const } } };
    const options = { shutdownSignals: ['SIGTERM' as const], telemetryOptions: logging };
    expect(withMetricsExporter(options, undefined)).toBe(options);
    expect(withMetricsExporter(options, '127.0.0.1:9464')).toEqual({
      shutdownSignals: ['SIGTERM'],
      telemetryOptions: {
        ...logging,
        metrics: {
          prometheus: {
            bindAddress: '127.0.0.1:9464',
            histogramBucketOverrides: { rosterflow_: DURATION_BUCKETS_SECONDS },
          },
        },
      },
    });
  });

  it('stops the worker process with one sentence when the address cannot be served (a port in use)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(taken.address() as AddressInfo).port}`;
    try {
      const worker = await runWorker({ ROSTERFLOW_METRICS_ADDRESS: address });
      expect(worker.status).toBe(1);
      expect(worker.stderr.trim()).toBe(
        `rosterflow worker: ROSTERFLOW_METRICS_ADDRESS ${address} cannot be served: Address already in use (os error 98)`,
      );
    } finally {
      taken.close();
    }
  });

  it('stops the worker process before it connects, with that sentence and no stack', async () => {
    const worker = await runWorker({ ROSTERFLOW_METRICS_ADDRESS: 'localhost:9464' });
    expect(worker.status).toBe(1);
    expect(worker.stderr.trim()).toBe(
      'rosterflow worker: ROSTERFLOW_METRICS_ADDRESS must be an IP address and port to serve metrics on, such as 127.0.0.1:9464 or 0.0.0.0:9464 (got "localhost:9464")',
    );
  });
});

type Finished = Pick<RunRecord, 'status' | 'dryRun' | 'delivery' | 'counts' | 'plan'>;
const delivery = { target: 'staffbase', location: 'https://app.example/api' };
const plan = { pulled: 10, active: 9, deactivations: 2, tripped: [] };

describe('the status of a finished run', () => {
  it("is its record's, but dry_run for a dry run that did not fail", () => {
    expect(finishedStatusLabel({ status: 'succeeded', dryRun: false })).toBe('succeeded');
    expect(finishedStatusLabel({ status: 'partial', dryRun: false })).toBe('partial');
    expect(finishedStatusLabel({ status: 'failed', dryRun: false })).toBe('failed');
    expect(finishedStatusLabel({ status: 'succeeded', dryRun: true })).toBe('dry_run');
    expect(finishedStatusLabel({ status: 'failed', dryRun: true })).toBe('failed');
  });
});

describe('employees by outcome of a finished run', () => {
  it('splits the delivered rows into those the vendor took and those it refused', () => {
    const run: Finished = {
      status: 'partial',
      dryRun: false,
      delivery,
      plan,
      counts: { pulled: 12, rejected: 1, renderRejected: 2, rendered: 8, filteredOut: 1, vendorRefused: 3 },
    };
    expect(employeeOutcomes(run)).toEqual({ pulled: 12, rejected: 3, delivered: 5, vendor_refused: 3, deactivated: 2 });
  });

  it.each<[string, Partial<Finished>]>([
    ['a failed run', { status: 'failed', delivery }],
    ['a dry run', { dryRun: true, delivery }],
    ['a run without a delivery', {}],
  ])('counts %s as pulled and rejected, delivering and deactivating nobody', (_name, change) => {
    const run: Finished = {
      status: 'succeeded',
      dryRun: false,
      plan,
      counts: { pulled: 10, rejected: 1, rendered: 9, vendorRefused: 0 },
      ...change,
    };
    expect(employeeOutcomes(run)).toEqual({ pulled: 10, rejected: 1, delivered: 0, vendor_refused: 0, deactivated: 0 });
  });

  it('counts zeros for a run that never got as far as counting', () => {
    expect(employeeOutcomes({ status: 'failed', dryRun: false, counts: {} })).toEqual({
      pulled: 0,
      rejected: 0,
      delivered: 0,
      vendor_refused: 0,
      deactivated: 0,
    });
  });
});

describe('the holds gauges', () => {
  const now = new Date('2026-12-06T12:00:00Z');
  const held = (syncId: string, since: string) => ({
    syncId,
    startedAt: new Date('2026-12-06T00:00:00Z'),
    hold: { reasons: [], since: new Date(since), expiresAt: now, source: 'plan' as const },
  });

  it('counts the held runs of each sync and the age of its oldest hold in seconds', () => {
    const runs = [
      held('acme-people', '2026-12-06T11:00:00Z'),
      held('acme-people', '2026-12-06T09:30:00Z'),
      held('acme-hibob', '2026-12-06T11:59:30.400Z'),
    ];
    expect(heldRunsBySync(runs, now)).toEqual([
      { syncId: 'acme-hibob', pending: 1, oldestAgeSeconds: 29 },
      { syncId: 'acme-people', pending: 2, oldestAgeSeconds: 9000 },
    ]);
  });

  it('reports zeros for a sync reported before whose holds have all ended', () => {
    expect(heldRunsBySync([held('acme-people', '2026-12-06T11:00:00Z')], now, ['acme-hibob', 'acme-people'])).toEqual([
      { syncId: 'acme-hibob', pending: 0, oldestAgeSeconds: 0 },
      { syncId: 'acme-people', pending: 1, oldestAgeSeconds: 3600 },
    ]);
  });

  it('ages a held run without a hold record from its start', () => {
    expect(heldRunsBySync([{ syncId: 'acme-people', startedAt: new Date('2026-12-06T11:00:00Z') }], now)).toEqual([
      { syncId: 'acme-people', pending: 1, oldestAgeSeconds: 3600 },
    ]);
  });
});

describe('what the worker reads of a known sync at start', () => {
  const run = (status: RunRecord['status'], dryRun: boolean, finishedAt?: string, targetType?: string) => ({
    status,
    dryRun,
    ...(finishedAt ? { finishedAt: new Date(finishedAt) } : {}),
    ...(targetType ? { targetType } : {}),
  });

  it("takes the latest run's target and the finish of the newest run that delivered, passing over dry runs and failures", () => {
    const recent = [
      run('running', false),
      run('failed', false, '2026-12-06T02:00:00Z', 'scim'),
      run('succeeded', true, '2026-12-05T12:00:00Z', 'scim'),
      run('partial', false, '2026-12-05T02:00:00Z', 'scim'),
      run('succeeded', false, '2026-12-04T02:00:00Z', 'scim'),
    ];
    expect(knownSync('acme-scim', recent)).toEqual({
      syncId: 'acme-scim',
      target: 'scim',
      lastSuccessAt: new Date('2026-12-05T02:00:00Z'),
    });
  });

  it('knows neither for a sync that never resolved nor delivered', () => {
    expect(knownSync('acme-new', [run('failed', false, '2026-12-06T02:00:00Z')])).toEqual({ syncId: 'acme-new' });
  });
});
