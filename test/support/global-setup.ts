import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { ensureTemporalCli } from '../../tools/stack/binaries';
import { startLocalStack } from '../../tools/stack/stack';
import { WORKFLOW_LOG_CONTEXT_MODULE } from '../../worker/log-context';
import { TEST_NAMESPACES } from './namespaces';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    mongoUri: string;
    workflowBundlePath: string;
    temporalCliPath: string;
  }
}

/**
 * One real stack for the whole test run: a Temporal dev server and a MongoDB wire-protocol server
 * (MONGODB_URI, else mongod, else FerretDB), built on first use. A missing server fails the run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string) => console.log(`[stack] ${line}`);
  const scratch = await mkdtemp(join(tmpdir(), 'rosterflow-test-'));
  const stack = await startLocalStack({
    home: scratch,
    persistent: false,
    ui: false,
    preferDefaultPorts: false,
    extraNamespaces: TEST_NAMESPACES,
    log,
  });
  try {
    // Bundle the workflows once instead of once per worker.
    const { code } = await bundleWorkflowCode({
      workflowsPath: join(__dirname, '..', '..', 'workflows', 'index.ts'),
      workflowInterceptorModules: [WORKFLOW_LOG_CONTEXT_MODULE],
      logger: new DefaultLogger('WARN'),
    });
    const workflowBundlePath = join(scratch, 'workflow-bundle.js');
    await writeFile(workflowBundlePath, code);

    project.provide('temporalAddress', stack.temporalAddress);
    project.provide('mongoUri', stack.mongoUri);
    project.provide('workflowBundlePath', workflowBundlePath);
    project.provide('temporalCliPath', await ensureTemporalCli(log));
    log(`Temporal ${stack.temporalAddress}, store ${stack.mongoUri} (${stack.mongoKind})`);
  } catch (err) {
    await stack.stop();
    throw err;
  }

  return async () => {
    await stack.stop();
    await rm(scratch, { recursive: true, force: true });
  };
}
