import type { z } from 'zod';
import type { ArtifactLayout } from './layout';

/** Uploads to one resource are serialised across every sync and worker, one per window. */
export interface UploadLockSpec {
  resource: string;
  windowMs: number;
}

/**
 * A target's registration (its folder's `index.ts`): config schema, layouts, where its deliveries
 * land. Its delivery is in the same folder: the activities (`activities.ts`, registered by
 * targets/activities.ts) and the workflow-side orchestration (`delivery.ts`, targets/deliveries.ts).
 */
export interface TargetDefinition<Config extends { type: string } = { type: string }> {
  type: Config['type'];
  title: string;
  /** The vendor's documentation of what the target speaks (`rosterflow targets list` shows it). */
  docsUrl: string;
  configSchema: z.ZodType<Config, unknown>;
  /** Fresh layouts for one render pass. */
  layouts(config: Config): readonly ArtifactLayout[];
  /** Where deliveries land, for the run record: a path or URL, never credentials. */
  location(config: Config): string;
  /** Targets that rate-limit per account: the lock every upload to the same account waits for. */
  uploadLock?(config: Config): UploadLockSpec;
  /**
   * Targets whose own import preview is checked against the deactivation limits on every delivery
   * (the preview counts what the target will really do): the sync-level deactivation percentage is
   * then off unless the sync sets it.
   */
  previewChecksDeactivations?(config: Config): boolean;
}
