import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { stringify } from 'yaml';
import { createActivities } from '../activities';
import { openStore } from '../store/store';
import { createCsvFileActivities } from '../targets/csv-file/activities';
import { freePort } from '../tools/stack/ports';
import { startMongoServer } from '../tools/stack/stack';
import { writeExport } from './export';

/**
 * The second half of `npm run bench:parts`: the real build, plan and file-delivery activities (MongoDB
 * checkpoints, artifact pages) over BENCH_STORE_ROWS rows (default 200,000) against a MongoDB
 * wire-protocol server of their own (`mongod` on PATH, else FerretDB), without Temporal in between.
 * Prints each step's time and throughput and the process's peak memory.
 */
const ROWS = Number(process.env['BENCH_STORE_ROWS'] ?? 200_000);

async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'rosterflow-bench-store-'));
  const mongo = await startMongoServer({ port: await freePort(), dataDir: join(dir, 'db'), log: () => undefined });
  let peakRss = 0;
  const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  try {
    const exportPath = join(dir, 'export.csv');
    await writeExport(exportPath, ROWS);
    const configPath = join(dir, 'rosterflow.yaml');
    await writeFile(
      configPath,
      stringify({
        version: 1,
        syncs: [
          {
            id: 'bench',
            source: {
              type: 'csv',
              path: exportPath,
              // The source's default unless BENCH_PAGE_SIZE says otherwise.
              ...(process.env['BENCH_PAGE_SIZE'] ? { pageSize: Number(process.env['BENCH_PAGE_SIZE']) } : {}),
              columns: { sourceId: 'Employee ID', workEmail: 'Work Email', status: 'Status' },
              customFields: { department: 'Department' },
            },
            target: {
              type: 'csv-file',
              path: join(dir, 'out.csv'),
              columns: [
                { header: 'Email', field: 'workEmail' },
                { header: 'Department', field: 'customFields.department' },
              ],
            },
          },
        ],
      }),
    );
    const store = await openStore(mongo.uri, 'rosterflow_bench');
    const activities = createActivities({ store, configPath });
    const csvFile = createCsvFileActivities({ store, configPath });
    const env = new MockActivityEnvironment({ attempt: 1 });
    // Each activity runs inside a real activity context (info, heartbeats, cancellation).
    const call = <R>(work: () => Promise<R>): Promise<R> => env.run<[], R, () => Promise<R>>(work);
    const runId = 'bench-run';
    await call(() =>
      activities.startRun({
        runId,
        workflowId: 'bench',
        syncId: 'bench',
        trigger: 'cli',
        dryRun: false,
        startedAt: new Date().toISOString(),
      }),
    );
    await call(() => activities.resolveSync({ runId, syncId: 'bench' }));

    const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
      const started = process.hrtime.bigint();
      const result = await work();
      return [result, Number(process.hrtime.bigint() - started) / 1e9];
    };
    const [built, buildSeconds] = await timed(() => call(() => activities.buildArtifacts({ runId })));
    const [, planSeconds] = await timed(() => call(() => activities.planRun({ runId })));
    const { artifacts } = built.render;
    const [, deliverSeconds] = await timed(() => call(() => csvFile.deliverCsvFile({ runId, artifacts })));
    const [, commitSeconds] = await timed(() => call(() => activities.commitSnapshot({ runId })));
    const [, finishSeconds] = await timed(() => call(() => activities.finishRun({ runId, status: 'succeeded' })));
    clearInterval(sample);
    await store.close();

    const mb = (value: number) => `${(value / 1024 / 1024).toFixed(0)} MB`;
    const pulled = built.extract.pulled;
    const rate = (seconds: number) => `${seconds.toFixed(1)} s, ${Math.round(pulled / seconds)} employees/s`;
    console.log(`\nthrough the store (${mongo.kind}), the real activities`);
    console.log(`rows in export        ${ROWS} (${built.extract.pages} stored pages)`);
    console.log(`build                 ${rate(buildSeconds)}, ${mb(artifacts[0]!.bytes)} artifact`);
    console.log(`plan                  ${rate(planSeconds)}`);
    console.log(`deliver (file)        ${rate(deliverSeconds)}`);
    console.log(`commit snapshot       ${commitSeconds.toFixed(2)} s`);
    console.log(`finish run            ${finishSeconds.toFixed(2)} s`);
    console.log(`peak RSS              ${mb(peakRss)}`);
  } finally {
    clearInterval(sample);
    await mongo.server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
