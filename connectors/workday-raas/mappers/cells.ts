import { text } from '../../sdk/mapping';
import { WorkdayRaasReferenceSchema, WorkdayRaasTypedIdSchema } from '../types';

/**
 * Which part of a reference a field wants: its id for ids (an Employee ID, not the worker's name),
 * its `Descriptor` (display text) for everything else.
 */
export type ReferencePart = 'id' | 'descriptor';

/**
 * Every non-blank instance of a report cell, as text. Single values are text; a reference
 * `{Descriptor, ID}` gives the preferred part, falling back to the other; a multi-instance column
 * (an array) gives each of its instances in order. Anything else (a nested sub-report row) gives nothing.
 */
export function cellInstances(value: unknown, prefer: ReferencePart): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => cellInstances(item, prefer));
  const reference = typeof value === 'object' && value !== null ? WorkdayRaasReferenceSchema.safeParse(value) : null;
  if (reference?.success) {
    const descriptor = text(reference.data.Descriptor);
    const id = referenceId(reference.data.ID);
    const chosen = prefer === 'id' ? (id ?? descriptor) : (descriptor ?? id);
    return chosen === undefined ? [] : [chosen];
  }
  const single = text(value);
  return single === undefined ? [] : [single];
}

/**
 * A canonical field holds one value, so a multi-instance column gives its first non-blank instance
 * (Workday lists the primary one first, e.g. the primary work email).
 */
export function cellText(value: unknown, prefer: ReferencePart = 'descriptor'): string | undefined {
  return cellInstances(value, prefer)[0];
}

/** Custom fields are free text, so every instance is kept, joined with "; ". */
export function cellJoined(value: unknown): string | undefined {
  const instances = cellInstances(value, 'descriptor');
  return instances.length > 0 ? instances.join('; ') : undefined;
}

/**
 * An `ID` of a reference: text, a `{type, _value}` item, or a list of them (one per id type). A
 * business id (Employee_ID, Location_ID, ...) is preferred to the opaque WID, which no other
 * column of the report would match.
 */
function referenceId(value: unknown): string | undefined {
  const items = Array.isArray(value) ? value : [value];
  const ids = items.flatMap((item) => {
    const typed = WorkdayRaasTypedIdSchema.safeParse(item);
    if (typed.success) {
      const id = text(typed.data._value);
      return id === undefined ? [] : [{ id, isWid: typed.data.type?.toUpperCase() === 'WID' }];
    }
    const plain = typeof item === 'object' ? undefined : text(item);
    return plain === undefined ? [] : [{ id: plain, isWid: false }];
  });
  return (ids.find((candidate) => !candidate.isWid) ?? ids[0])?.id;
}
