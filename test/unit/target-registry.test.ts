import { describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities/deps';
import { TARGET_DEFINITIONS, TargetConfigSchema, createTargetActivities } from '../../targets';
import { TARGET_DELIVERIES, deliveryFor } from '../../targets/deliveries';

/**
 * Old activity names the worker still registers, each beside the function's name today, for runs
 * scheduled before the rename (docs/upgrading.md): drop them with `patched('target-named-activities')`.
 */
const RENAMED_ACTIVITIES: Readonly<Record<string, string>> = {
  deliverFile: 'deliverCsvFile',
  uploadOneRoster: 'uploadOneRosterSftp',
};

describe('target registry', () => {
  it('gives every registered target one delivery: its own orchestration or a step activity it registers', () => {
    const types = TARGET_DEFINITIONS.map((definition) => definition.type);
    expect(new Set(types).size).toBe(types.length);
    for (const type of Object.keys(TARGET_DELIVERIES)) expect(types).toContain(type);
    const activities = createTargetActivities({ store: {} } as ActivityDeps);
    for (const definition of TARGET_DEFINITIONS) {
      const own = Object.hasOwn(TARGET_DELIVERIES, definition.type);
      // Exactly one of the two: a step activity beside its own orchestration would never be called.
      expect(own !== (definition.deliveryStep !== undefined), definition.type).toBe(true);
      if (definition.deliveryStep) expect(typeof activities[definition.deliveryStep], definition.type).toBe('function');
      // The step driver takes no upload lock: a target that needs one orchestrates its own delivery.
      if (definition.deliveryStep) expect('uploadLock' in definition, definition.type).toBe(false);
      const delivery = deliveryFor({
        targetType: definition.type,
        ...(definition.deliveryStep ? { deliveryStep: definition.deliveryStep } : {}),
      });
      expect(typeof delivery).toBe('function');
    }
    expect(() => deliveryFor({ targetType: 'nowhere' })).toThrow('No delivery is registered for target type "nowhere"');
  });

  it('names every target activity once, across targets', () => {
    const names = TARGET_DEFINITIONS.flatMap((definition) =>
      Object.keys(definition.activities({ store: {} } as ActivityDeps)),
    );
    expect(new Set(names).size).toBe(names.length);
  });

  it("names each target's activities by its type (the old names of renamed ones aside)", () => {
    for (const definition of TARGET_DEFINITIONS) {
      const named = definition.type.replace(/-/g, '').toLowerCase();
      for (const name of Object.keys(definition.activities({ store: {} } as ActivityDeps))) {
        if (Object.hasOwn(RENAMED_ACTIVITIES, name)) continue;
        expect(name.toLowerCase(), `${definition.type}: ${name}`).toContain(named);
      }
    }
  });

  it("keeps each renamed activity's old name, for runs in flight, as the same function under its new one", () => {
    const activities = createTargetActivities({ store: {} } as ActivityDeps);
    for (const [old, current] of Object.entries(RENAMED_ACTIVITIES)) {
      expect(typeof activities[current], current).toBe('function');
      expect(activities[old], old).toBe(activities[current]);
    }
  });

  it('names each target once: its definition, its config schema and the config union agree', () => {
    const unionTypes = TargetConfigSchema.options.map((schema) => schema.shape.type.value);
    expect([...unionTypes].sort()).toEqual(TARGET_DEFINITIONS.map((definition) => definition.type).sort());
    for (const definition of TARGET_DEFINITIONS) {
      const schema = TargetConfigSchema.options.find((candidate) => candidate.shape.type.value === definition.type);
      expect(schema, definition.type).toBe(definition.configSchema);
    }
  });
});
