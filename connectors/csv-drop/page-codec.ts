import { EmployeeSchema } from '../../core/employee';
import type { Employee } from '../../core/employee';
import type { EmployeePage, RowRejection } from '../sdk/source';

/**
 * A page as it crosses from the parsing thread: every text value of its records in one string, each
 * value's length (or ABSENT) in a typed array, slot by slot in the schema's key order. Copying one
 * string and two buffers between threads costs a fraction of copying hundreds of objects key by
 * key, on both sides; `decode` builds the same records (same keys, in the same order) again.
 * Decoded values are slices of the page's string: a renderer that keeps a value past its page
 * copies it (core/own-string.ts), so a few kept values do not hold whole pages.
 */
export interface EncodedPage {
  records: number;
  text: string;
  /** Per record, per slot: the value's length in `text`, or ABSENT. */
  lengths: Uint32Array;
  /** Per record: its sourceLine, or 0 when it has none. */
  lines: Uint32Array;
  rejected: RowRejection[];
  cursor: string;
}

const ABSENT = 0xffff_ffff;

/** The schema's keys in its order, the order a mapped record has its keys in (core/employee-quick-check.ts). */
const KEYS = Object.keys(EmployeeSchema.shape) as (keyof Employee)[];

/**
 * Slots for the text fields in the schema's order, and for the custom fields (in the config's order)
 * where the schema has customFields; `custom` says which slots are custom fields, by name.
 */
function slotsFor(customNames: readonly string[]) {
  const names: string[] = [];
  const custom: boolean[] = [];
  for (const key of KEYS) {
    if (key === 'sourceLine') continue;
    if (key === 'customFields') {
      for (const name of customNames) {
        names.push(name);
        custom.push(true);
      }
      continue;
    }
    names.push(key);
    custom.push(false);
  }
  return { names, custom, firstCustom: custom.indexOf(true) };
}

/** Encodes and decodes the pages of one file, whose records have these custom fields (config order). */
export function createPageCodec(customNames: readonly string[]) {
  const { names, custom, firstCustom } = slotsFor(customNames);
  const width = names.length;

  return {
    encode(page: EmployeePage): { encoded: EncodedPage; transfer: ArrayBuffer[] } {
      const { records } = page;
      const lengths = new Uint32Array(records.length * width);
      const lines = new Uint32Array(records.length);
      const parts: string[] = [];
      for (let row = 0; row < records.length; row += 1) {
        const employee = records[row]! as unknown as Record<string, string | undefined>;
        const customFields = records[row]!.customFields;
        for (let at = 0; at < width; at += 1) {
          const value = custom[at] ? ownValue(customFields, names[at]!) : employee[names[at]!];
          lengths[row * width + at] = value === undefined ? ABSENT : value.length;
          if (value !== undefined) parts.push(value);
        }
        lines[row] = records[row]!.sourceLine ?? 0;
      }
      const encoded = { records: records.length, text: parts.join(''), lengths, lines, ...rest(page) };
      return { encoded, transfer: [lengths.buffer, lines.buffer] };
    },

    decode(encoded: EncodedPage): EmployeePage {
      const { text, lengths, lines } = encoded;
      const records: Employee[] = [];
      let position = 0;
      for (let row = 0; row < encoded.records; row += 1) {
        const base = row * width;
        const record: Record<string, unknown> = {};
        for (let at = 0; at < width; at += 1) {
          if (at === firstCustom) {
            // The custom fields in one object at customFields' place in the key order, if any is set.
            let fields: Record<string, string> | undefined;
            for (; at < width && custom[at]; at += 1) {
              const length = lengths[base + at]!;
              if (length === ABSENT) continue;
              (fields ??= {})[names[at]!] = text.slice(position, (position += length));
            }
            if (fields) record['customFields'] = fields;
            at -= 1;
            continue;
          }
          const length = lengths[base + at]!;
          if (length !== ABSENT) record[names[at]!] = text.slice(position, (position += length));
        }
        if (lines[row] !== 0) record['sourceLine'] = lines[row];
        records.push(record as Employee);
      }
      return { records, ...rest(encoded) };
    },
  };
}

/** A custom field's own value: never what every object inherits (a field named `constructor`). */
function ownValue(fields: Record<string, string> | undefined, name: string): string | undefined {
  return fields !== undefined && Object.hasOwn(fields, name) ? fields[name] : undefined;
}

const rest = ({ rejected, cursor }: { rejected: RowRejection[]; cursor: string }) => ({ rejected, cursor });
