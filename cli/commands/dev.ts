import { relative } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { dataConverterFromEnv, payloadCodecFromEnv } from '../../core/payload-codec';
import { freePort } from '../../tools/stack/ports';
import { DEFAULT_DB_NAME, DEFAULT_TASK_QUEUE } from '../../config/runtime';
import { readSetting } from '../../core/env';
import { openStore } from '../../store/store';
import { createRosterflowWorker } from '../../worker/create-worker';
import { applySchedules } from '../apply-schedules';
import { startCodecEndpoint } from '../codec-http';
import { configPathFrom } from '../context';
import type { GlobalOptions } from '../context';
import { formatHeld, formatOutcome } from '../format';
import { bringUpLocalStack, describeStack } from '../local-stack';
import { startSyncAndWait } from '../start-sync';

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

      Runtime.install({ logger: new DefaultLogger('WARN') });
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
      const { stack } = running;

      const store = await openStore(stack.mongoUri, readSetting(process.env, 'ROSTERFLOW_DB') ?? DEFAULT_DB_NAME);
      const workerConnection = await NativeConnection.connect({ address: stack.temporalAddress });
      const clientConnection = await Connection.connect({ address: stack.temporalAddress });
      let succeeded = false;
      let codecEndpoint: Awaited<ReturnType<typeof startCodecEndpoint>> | undefined;
      try {
        if (codec && codecPort !== undefined && running.startedHere && stack.uiUrl) {
          codecEndpoint = await startCodecEndpoint(codec, { host: '127.0.0.1', port: codecPort, origin: stack.uiUrl });
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
        console.log(`Worker polling task queue "${taskQueue}" with ${relative(process.cwd(), configPath)}.\n`);

        console.log('Schedules:');
        for (const change of await applySchedules(client, config, { taskQueue, prune: false })) {
          console.log(`  ${change.outcome.padEnd(13)} ${change.scheduleId}`);
        }

        console.log(`\nRunning sync "${syncId}" now...`);
        const outcome = await startSyncAndWait(
          client,
          { syncId, dryRun: false, taskQueue },
          (ids) => {
            const link = stack.uiUrl
              ? `${stack.uiUrl}/namespaces/${stack.namespace}/workflows/${ids.workflowId}/${ids.runId}/history`
              : ids.workflowId;
            console.log(`  workflow ${link}`);
          },
          (hold, ids) => console.log(formatHeld(hold, ids.workflowId)),
        );
        console.log(formatOutcome(outcome));
        succeeded = outcome.ok;

        console.log(`\nWhere to look:\n${describeStack(stack)}`);
        console.log('  History    ./bin/rosterflow history   (or --run <runId> for one run in full)');
        if (codecEndpoint) {
          console.log(`  Payloads   encrypted; the Web UI decodes them through ${codecEndpoint.url}`);
        } else if (dataConverter) {
          console.log('  Payloads   encrypted; run ./bin/rosterflow codec-server for the Web UI to show them');
        }
        if (options.exit) {
          worker.shutdown();
        } else {
          console.log('\nThe worker stays up so the schedules run; press Ctrl-C to stop everything.');
        }
        await workerDone;
      } finally {
        await codecEndpoint?.close();
        await clientConnection.close();
        await workerConnection.close();
        await store.close();
        await running.release();
      }
      if (!succeeded) process.exitCode = 1;
    });
}
