import { Worker } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { dataConverterFromEnv } from '../core/payload-codec';
import { activitySlotsFromEnv } from './activity-slots';
import { classifyActivityFailures } from './classify-failures';
import { WORKFLOW_LOG_CONTEXT_MODULE, activityLogContext } from './log-context';
import type { ActivityDeps } from '../activities';

export interface RosterflowWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** A prebuilt bundle (`npm run build`); without one the workflows are bundled at start-up. */
  workflowBundlePath?: string | undefined;
  /** Payload codecs etc.; without one, the encryption codec ROSTERFLOW_PAYLOAD_KEY describes, if set. */
  dataConverter?: DataConverter | undefined;
  /** Activities run at once; without it, ROSTERFLOW_MAX_CONCURRENT_ACTIVITIES or its default (activity-slots.ts). */
  maxConcurrentActivities?: number | undefined;
}

/** The worker that serves every rosterflow workflow and activity on one task queue. */
export function createRosterflowWorker(options: RosterflowWorkerOptions): Promise<Worker> {
  const workflows: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = options.workflowBundlePath
    ? { workflowBundle: { codePath: options.workflowBundlePath } }
    : { workflowsPath: require.resolve('../workflows') };
  const dataConverter = options.dataConverter ?? dataConverterFromEnv(process.env);
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...workflows,
    ...(dataConverter ? { dataConverter } : {}),
    activities: createActivities({ store: options.store, configPath: options.configPath }),
    interceptors: {
      // Sync id and step on every activity's log lines, and the sync id on the workflows' (worker/log-context.ts).
      activity: [classifyActivityFailures, activityLogContext],
      // A prebuilt bundle has the workflow side built in (tools/build-workflow-bundle.ts).
      ...(options.workflowBundlePath ? {} : { workflowModules: [WORKFLOW_LOG_CONTEXT_MODULE] }),
    },
    // Bounds the worker's memory when many syncs run at once (the SDK's default is 100).
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? activitySlotsFromEnv(process.env),
    // Let in-flight steps finish or heartbeat a last checkpoint before a deploy stops the worker.
    shutdownGraceTime: '30 seconds',
  });
}
