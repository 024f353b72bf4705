import { isoDate, text } from '../../sdk/mapping';
import { PersonioRelationSchema } from '../types';
import type { PersonioAttribute } from '../types';

export type PersonioAttributes = Record<string, PersonioAttribute>;

/**
 * Finds an attribute by key (`position`, `dynamic_1146702`) or, failing that, by its label
 * (case-insensitive): custom attributes are only named by their label in Personio's UI.
 */
export function findAttribute(attributes: PersonioAttributes, keyOrLabel: string): PersonioAttribute | undefined {
  const direct = attributes[keyOrLabel];
  if (direct) return direct;
  const wanted = keyOrLabel.trim().toLowerCase();
  return Object.values(attributes).find((attribute) => attribute.label?.trim().toLowerCase() === wanted);
}

/** A relation's display name: `department.value = {type:'Department', attributes:{id, name}}` -> name. */
export function relationName(value: unknown): string | undefined {
  const relation = PersonioRelationSchema.safeParse(value);
  return relation.success ? text(relation.data.attributes.name) : undefined;
}

/**
 * A field of a relation to another employee (`supervisor`): its attributes are wrapped again,
 * `{id: {label, value, ...}}`; plain values are accepted too.
 */
export function relatedEmployeeField(value: unknown, key: string): string | undefined {
  const relation = PersonioRelationSchema.safeParse(value);
  if (!relation.success) return undefined;
  const field = relation.data.attributes[key];
  if (typeof field === 'object' && field !== null && 'value' in field) return text(field.value);
  return text(field);
}

/** The cost centre carrying the largest share of `cost_centers.value` (the first on a tie). */
export function mainCostCenter(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined;
  let best: { name: string; share: number } | undefined;
  for (const item of value) {
    const relation = PersonioRelationSchema.safeParse(item);
    const name = relation.success ? text(relation.data.attributes.name) : undefined;
    if (!relation.success || name === undefined) continue;
    const share = relation.data.attributes.percentage ?? 0;
    if (!best || share > best.share) best = { name, share };
  }
  return best?.name;
}

/** Any attribute as text, for custom fields: dates as `YYYY-MM-DD`, relations by name, lists joined. */
export function attributeText(attribute: PersonioAttribute | undefined): string | undefined {
  if (!attribute) return undefined;
  const { value } = attribute;
  if (attribute.type === 'date') return isoDate(value);
  if (Array.isArray(value)) {
    const names = value.map((item) => relationName(item) ?? text(item)).filter((name) => name !== undefined);
    return names.length > 0 ? names.join(', ') : undefined;
  }
  return relationName(value) ?? text(value);
}
