import type { z } from 'zod';
import type { ActivityDeps } from '../../activities/deps';
import type { ArtifactLayout } from './layout';

/** Uploads to one resource are serialised across every sync and worker, one per window. */
export interface UploadLockSpec {
  resource: string;
  windowMs: number;
}

/**
 * A target, as its folder's `index.ts` exports it and targets/index.ts registers it (one line):
 * config schema, layouts, where deliveries land, and its delivery activities. How the workflow
 * drives those activities is either the shared step protocol (`deliveryStep`: no workflow code of
 * the target's own) or the target's own orchestration (`delivery.ts`, listed in targets/deliveries.ts).
 */
export interface TargetDefinition<
  Config extends { type: string } = { type: string },
  Activities extends object = object,
> {
  type: Config['type'];
  title: string;
  /** The vendor's documentation of what the target speaks (`rosterflow targets list` shows it). */
  docsUrl: string;
  configSchema: z.ZodType<Config, unknown>;
  /** Fresh layouts for one render pass. */
  layouts(config: Config): readonly ArtifactLayout[];
  /** Where deliveries land, for the run record: a path or URL, never credentials. */
  location(config: Config): string;
  /** The target's delivery activities (its `activities.ts`), closed over the worker's dependencies. */
  activities(deps: ActivityDeps): Activities;
  /**
   * For a target delivered by the shared step protocol (targets/sdk/step-delivery.ts): the name of
   * its step activity, one of `activities` (test/unit/target-registry.test.ts checks it). Unset for a
   * target with its own workflow code in targets/deliveries.ts.
   */
  deliveryStep?: string;
  /** Targets that rate-limit per account: the lock every upload to the same account waits for. */
  uploadLock?(config: Config): UploadLockSpec;
  /**
   * Targets whose own import preview is checked against the deactivation limits on every delivery
   * (the preview counts what the target will really do): the sync-level deactivation percentage is
   * then off unless the sync sets it.
   */
  previewChecksDeactivations?(config: Config): boolean;
}
