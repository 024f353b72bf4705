import { findSync, loadConfig } from '../config/load';
import type { SyncConfig } from '../config/schema';
import { syncSecrets } from '../config/sync-secrets';
import { defaultSourceDeps } from '../connectors';
import { createSecretResolver, unreadableSecrets } from '../io/secrets';
import { RosterflowError } from '../core/errors';
import { targetDefinition } from '../targets';
import type { UploadLockSpec } from '../targets';
import type { RunAlertSettings } from '../notify/alert';
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
  /**
   * The delivery kind workers before the target folders dispatched on: kept so that such a worker
   * (a rollback, or old and new workers side by side) still delivers a run this one resolved.
   * Nothing here reads it; drop it a release later.
   */
  delivery?: string;
  /** Where deliveries land (a path or URL), for messages and results. */
  location: string;
  /** Set when uploads to this target's account must wait for a shared lock. */
  uploadLock?: UploadLockSpec;
  /** For a target delivered by the step protocol: its step activity (targets/sdk/step-delivery.ts). */
  deliveryStep?: string;
  /** The sync's `notify:` as far as the run decides on it: which events alert, and the change threshold. */
  alerts?: RunAlertSettings;
}

/** What earlier workers' `switch (sync.delivery)` expects, by target type (see `delivery` above). */
const LEGACY_DELIVERY_KINDS: Readonly<Record<string, string>> = {
  'csv-file': 'file',
  allstacks: 'allstacks-upload',
  staffbase: 'staffbase-import',
  'oneroster-sftp': 'sftp',
};

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
          ...(LEGACY_DELIVERY_KINDS[sync.target.type] ? { delivery: LEGACY_DELIVERY_KINDS[sync.target.type] } : {}),
          location: target.location(sync.target),
          ...(uploadLock ? { uploadLock } : {}),
          ...(target.deliveryStep ? { deliveryStep: target.deliveryStep } : {}),
          ...(sync.notify
            ? { alerts: { on: sync.notify.on, unusualChangePercent: sync.notify.unusualChangePercent } }
            : {}),
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
