import { describe, expect, it } from 'vitest';
import { TARGET_DEFINITIONS, TargetConfigSchema } from '../../targets';
import { TARGET_DELIVERIES, deliveryFor } from '../../targets/deliveries';

describe('target registry', () => {
  it('gives every registered target a delivery, and no delivery without a target', () => {
    const types = TARGET_DEFINITIONS.map((definition) => definition.type);
    expect(new Set(types).size).toBe(types.length);
    expect(Object.keys(TARGET_DELIVERIES).sort()).toEqual([...types].sort());
    for (const type of types) expect(typeof deliveryFor(type)).toBe('function');
    expect(() => deliveryFor('nowhere')).toThrow('No delivery is registered for target type "nowhere"');
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
