import { z } from 'zod';
import type { ActivityDeps } from '../activities/deps';
import { allstacksTarget } from './allstacks';
import { csvFileTarget } from './csv-file';
import { oneRosterTarget } from './oneroster-sftp';
import { scimTarget } from './scim';
import type { TargetDefinition } from './sdk/definition';
import { staffbaseTarget } from './staffbase';

/**
 * Every registered target: adding one is its folder plus its line here (`rosterflow targets new`
 * writes the folder and prints the line). The config union, the worker's activities and
 * `rosterflow targets list` all come from this list; test/unit/target-registry.test.ts checks it.
 */
export const TARGETS = [csvFileTarget, allstacksTarget, staffbaseTarget, oneRosterTarget, scimTarget] as const;

type RegisteredTarget = (typeof TARGETS)[number];
type ConfigOf<T> = T extends TargetDefinition<infer Config> ? Config : never;

export const TARGET_DEFINITIONS: readonly TargetDefinition[] = TARGETS;

export type TargetConfig = ConfigOf<RegisteredTarget>;

type TargetConfigObject = z.ZodObject<{ type: z.ZodLiteral<string> }>;

/** Any registered target's config, chosen by its `type`. */
export const TargetConfigSchema = z.discriminatedUnion(
  'type',
  TARGETS.map((target) => target.configSchema) as unknown as [TargetConfigObject, ...TargetConfigObject[]],
) as unknown as z.ZodType<TargetConfig, unknown> & { options: readonly TargetConfigObject[] };

/** Every target's delivery activities, closed over their dependencies, for the worker to register. */
export function createTargetActivities(deps: ActivityDeps): Record<string, unknown> {
  const activities: Record<string, unknown> = {};
  for (const target of TARGETS) {
    for (const [name, activity] of Object.entries(target.activities(deps))) {
      if (Object.hasOwn(activities, name)) throw new Error(`Two targets register an activity named ${name}`);
      activities[name] = activity;
    }
  }
  return activities;
}

export type { TargetDefinition, UploadLockSpec } from './sdk/definition';

export function targetDefinition(type: string): TargetDefinition {
  const definition = TARGET_DEFINITIONS.find((candidate) => candidate.type === type);
  if (!definition) throw new Error(`No target is registered for type "${type}"`);
  return definition;
}
