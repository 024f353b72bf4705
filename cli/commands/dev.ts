import { createRequire } from 'node:module';
import { relative } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type * as TemporalWorker from '@temporalio/worker';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { runSummary } from '../../core/run-summary';
import { dataConverterFromEnv, payloadCodecFromEnv } from '../../core/payload-codec';
import { freePort } from '../../tools/stack/ports';
import { DEFAULT_DB_NAME, DEFAULT_TASK_QUEUE } from '../../config/runtime';
import { readSetting } from '../../core/env';
import { openStore } from '../../store/store';
import type * as CreateWorker from '../../worker/create-worker';
import type * as WorkerLogger from '../../worker/logger';
import { applySchedules } from '../apply-schedules';
import { startCodecEndpoint } from '../codec-http';
import { configPathFrom } from '../context';
import type { GlobalOptions } from '../context';
import { formatHeld, formatOutcome } from '../format';
import { bringUpLocalStack, describeStack } from '../local-stack';
import { startSyncAndWait } from '../start-sync';
import { Cleanups, stopOnSignals } from '../stop-signals';

export const EXAMPLE_CONFIG = 'examples/rosterflow.yaml';

interface DevOptions {
  sync?: string;
  exit: boolean;
  randomPorts: boolean;
}

export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description(
      'the embedded default: start the local stack and a worker, apply the schedules, run one sync end to end',
    )
    .option('--sync <syncId>', 'the sync to run now (default: the first in the config)')
    .option('--exit', 'stop everything after the run instead of staying up for the schedules and the Web UI', false)
    .option('--random-ports', 'do not try the usual ports (7233, 8233, 27017) first', false)
    .action(async (options: DevOptions, command: Command) => {
      const configPath = await configPathFrom(command.optsWithGlobals<GlobalOptions>(), EXAMPLE_CONFIG);
      const config = await loadConfig(configPath);
      const syncId = options.sync ?? config.syncs[0]?.id ?? '';
      const taskQueue = readSetting(process.env, 'ROSTERFLOW_TASK_QUEUE') ?? DEFAULT_TASK_QUEUE;
      const dataConverter = dataConverterFromEnv(process.env);
      let codecUrl: string | undefined;

      // The worker's modules (the SDK's, every connector's) are loaded by this command only, so every
      // other command starts without them. (Through require: run from the sources, tsx compiles what
      // require loads, not what import() does.)
      const load = createRequire(__filename);
      const { NativeConnection, Runtime } = load('@temporalio/worker') as typeof TemporalWorker;
      const { createRosterflowWorker } = load('../../worker/create-worker') as typeof CreateWorker;
      const { workerRuntimeOptions } = load('../../worker/logger') as typeof WorkerLogger;
      // Stop signals are ours (stopOnSignals), not the SDK's: it would stop the worker and leave the
      // stack running, and ignore a signal that comes before the worker exists.
      Runtime.install({ ...workerRuntimeOptions('WARN', process.env, 'pretty'), shutdownSignals: [] });
      const cleanups = new Cleanups();
      stopOnSignals(cleanups, 'the worker and the local stack');
      let succeeded = false;
      try {
        // With encrypted payloads, the Web UI is pointed at a codec endpoint this process serves.
        const codec = payloadCodecFromEnv(process.env);
        const codecPort = codec ? await freePort() : undefined;
        const uiCodecEndpoint = codecPort === undefined ? undefined : `http://127.0.0.1:${codecPort}`;
        const running = await bringUpLocalStack({
          ui: true,
          randomPorts: options.randomPorts,
          configPath,
          ...(uiCodecEndpoint === undefined ? {} : { uiCodecEndpoint }),
        });
        cleanups.add('the local stack', () => running.release());
        const { stack } = running;

        const store = await openStore(stack.mongoUri, readSetting(process.env, 'ROSTERFLOW_DB') ?? DEFAULT_DB_NAME);
        cleanups.add('the store connection', () => store.close());
        const workerConnection = await NativeConnection.connect({ address: stack.temporalAddress });
        cleanups.add('the worker connection', () => workerConnection.close());
        const clientConnection = await Connection.connect({ address: stack.temporalAddress });
        cleanups.add('the client connection', () => clientConnection.close());
        if (codec && codecPort !== undefined && running.startedHere && stack.uiUrl) {
          const codecEndpoint = await startCodecEndpoint(codec, {
            host: '127.0.0.1',
            port: codecPort,
            origin: stack.uiUrl,
          });
          cleanups.add('the codec endpoint', () => codecEndpoint.close());
          codecUrl = codecEndpoint.url;
        }
        const client = new Client({
          connection: clientConnection,
          namespace: stack.namespace,
          ...(dataConverter ? { dataConverter } : {}),
        });
        const worker = await createRosterflowWorker({
          connection: workerConnection,
          namespace: stack.namespace,
          taskQueue,
          store,
          configPath,
          dataConverter,
        });
        const workerDone = worker.run();
        cleanups.add('the worker', async () => {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await workerDone;
        });
        console.log(`Worker polling task queue "${taskQueue}" with ${relative(process.cwd(), configPath)}.\n`);

        console.log('Schedules:');
        for (const change of await applySchedules(client, config, { taskQueue, prune: false })) {
          console.log(`  ${change.outcome.padEnd(13)} ${change.scheduleId}`);
        }

        console.log(`\nRunning sync "${syncId}" now...`);
        const outcome = await startSyncAndWait(
          client,
          {
            syncId,
            dryRun: false,
            taskQueue,
            progress: { print: (line) => console.log(line), runs: store.runs },
            ...summaryOf(config, syncId),
          },
          (ids) => {
            const link = stack.uiUrl
              ? `${stack.uiUrl}/namespaces/${stack.namespace}/workflows/${ids.workflowId}/${ids.runId}/history`
              : ids.workflowId;
            console.log(`  workflow ${link}`);
          },
          (hold, ids) => console.log(formatHeld(hold, ids.workflowId)),
        );
        console.log(formatOutcome(outcome, (await store.runs.get(outcome.runId)) ?? undefined));
        succeeded = outcome.ok;

        console.log(`\nWhere to look:\n${describeStack(stack)}`);
        console.log('  History    ./bin/rosterflow history   (or --run <runId> for one run in full)');
        if (codecUrl) {
          console.log(`  Payloads   encrypted; the Web UI decodes them through ${codecUrl}`);
        } else if (dataConverter) {
          console.log('  Payloads   encrypted; run ./bin/rosterflow codec-server for the Web UI to show them');
        }
        if (options.exit) {
          console.log('\nStopping the worker and the local stack...');
          worker.shutdown();
        } else {
          console.log('\nThe worker stays up so the schedules run; press Ctrl-C to stop everything.');
        }
        await workerDone;
      } catch (err) {
        // A stop signal closed what this step was using: the signal handler reports and exits.
        if (cleanups.begun) await new Promise(() => undefined);
        throw err;
      } finally {
        await cleanups.run();
      }
      if (options.exit) console.log('Stopped.');
      if (!succeeded) process.exitCode = 1;
    });
}

/** The run's one line in the Web UI (core/run-summary.ts). */
function summaryOf(
  config: { syncs: { id: string; source: { type: string }; target: { type: string } }[] },
  syncId: string,
) {
  const sync = config.syncs.find((candidate) => candidate.id === syncId);
  return sync
    ? { staticSummary: runSummary({ syncId, sourceType: sync.source.type, targetType: sync.target.type }) }
    : {};
}
