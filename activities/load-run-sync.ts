import { ApplicationFailure } from '@temporalio/common';
import { SyncConfigSchema } from '../config/schema';
import type { SyncConfig } from '../config/schema';
import type { ActivityDeps } from './deps';

/** The sync definition this run resolved at its start, so every step works from the same one. */
export async function loadRunSync(deps: ActivityDeps, runId: string): Promise<SyncConfig> {
  const run = await deps.store.runs.get(runId);
  const parsed = SyncConfigSchema.safeParse(run?.sync);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`Run ${runId} has no resolved sync definition`, 'InvalidInput');
  }
  return parsed.data;
}
