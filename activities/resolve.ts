import { findSync, loadConfig } from '../config/load';
import type { SyncConfig } from '../config/schema';
import { syncSecrets } from '../config/sync-secrets';
import { defaultSourceDeps } from '../connectors';
import { createSecretResolver, unreadableSecrets } from '../io/secrets';
import { RosterflowError } from '../core/errors';
import { targetDefinition } from '../targets';
import type { UploadLockSpec } from '../targets';
import type { ActivityDeps } from './deps';
import { runStep } from './step';

export interface ResolveSyncInput {
  runId: string;
  syncId: string;
}

/** What the workflow needs to know about the sync to orchestrate it: ids and policies, no data. */
export interface ResolvedSync {
  sourceType: string;
  targetType: string;
  onRejectedRows: 'fail' | 'skip';
  /** Where deliveries land (a path or URL), for messages and results. */
  location: string;
  /** Set when uploads to this target's account must wait for a shared lock. */
  uploadLock?: UploadLockSpec;
}

export function createResolveActivities(deps: ActivityDeps) {
  return {
    /** Loads and validates the config file, and pins this run to the sync definition it finds. */
    async resolveSync({ runId, syncId }: ResolveSyncInput): Promise<ResolvedSync> {
      return runStep(deps, runId, 'resolve', async () => {
        const config = await loadConfig(deps.configPath);
        const sync = findSync(config, syncId, deps.configPath);
        await deps.store.runs.setResolved(runId, { sync, sourceType: sync.source.type, targetType: sync.target.type });
        await requireSecrets(deps, sync);
        const target = targetDefinition(sync.target.type);
        const uploadLock = target.uploadLock?.(sync.target);
        return {
          sourceType: sync.source.type,
          targetType: sync.target.type,
          onRejectedRows: sync.onRejectedRows,
          location: target.location(sync.target),
          ...(uploadLock ? { uploadLock } : {}),
        };
      });
    },
  };
}

/**
 * Every secret the sync's source and target will need must be readable on this worker now, so a
 * missing one fails the run (and a dry run) before anything is extracted, not at delivery.
 */
async function requireSecrets(deps: ActivityDeps, sync: SyncConfig): Promise<void> {
  const secrets = syncSecrets(sync);
  const problems = [
    ...(await unreadableSecrets(secrets.source, (deps.sourceDeps ?? defaultSourceDeps()).resolveSecret)),
    ...(await unreadableSecrets(secrets.target, deps.resolveSecret ?? createSecretResolver())),
  ];
  if (problems.length > 0) throw new RosterflowError('SecretUnavailable', problems.join('; '));
}
