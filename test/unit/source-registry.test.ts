import { describe, expect, it } from 'vitest';
import { SOURCE_DEFINITIONS, SourceConfigSchema } from '../../connectors';

describe('the source registry', () => {
  it('registers every source once, with a config schema in the config union', () => {
    const types = SOURCE_DEFINITIONS.map((definition) => definition.type);
    expect(new Set(types).size).toBe(types.length);
    const unionTypes = SourceConfigSchema.options.map((option) => option.shape.type.value);
    expect([...unionTypes].sort()).toEqual([...types].sort());
    for (const definition of SOURCE_DEFINITIONS) {
      const option = SourceConfigSchema.options.find((candidate) => candidate.shape.type.value === definition.type);
      expect(option, definition.type).toBe(definition.configSchema);
      expect(definition.docsUrl).toMatch(/^https:\/\//);
    }
  });
});
