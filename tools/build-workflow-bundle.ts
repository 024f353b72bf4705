import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_LOG_CONTEXT_MODULE } from '../worker/log-context';

/** Prebuilds the workflow bundle for production workers (ROSTERFLOW_WORKFLOW_BUNDLE=dist/workflow-bundle.js). */
async function run(): Promise<void> {
  const root = join(__dirname, '..');
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(root, 'workflows', 'index.ts'),
    workflowInterceptorModules: [WORKFLOW_LOG_CONTEXT_MODULE],
  });
  const target = join(root, 'dist', 'workflow-bundle.js');
  await writeFile(target, code);
  console.log(`Wrote ${target}`);
}

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
