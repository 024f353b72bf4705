import { SourceConfigSchema } from '../connectors';
import { findSecretRefs } from '../io/secrets';
import type { SecretSetting } from '../io/secrets';
import { TargetConfigSchema } from '../targets';
import type { SyncConfig } from './schema';

/** The secret references a sync's source and target read (`source.serviceUserToken`, `target.apiToken`). */
export function syncSecrets(sync: SyncConfig): Record<'source' | 'target', SecretSetting[]> {
  return {
    source: findSecretRefs(SourceConfigSchema, sync.source, 'source'),
    target: findSecretRefs(TargetConfigSchema, sync.target, 'target'),
  };
}
