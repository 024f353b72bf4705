import { z } from 'zod';
import { EMPLOYMENT_STATUSES } from '../../core/employee';
import { FieldPathSchema } from '../../core/field-path';

const ColumnSchema = z
  .object({
    header: z.string().min(1),
    field: FieldPathSchema.optional(),
    /** A fixed value for every row, instead of a field. */
    value: z.string().optional(),
  })
  .strict()
  .refine((column) => (column.field === undefined) !== (column.value === undefined), {
    error: 'needs exactly one of field or value',
  });

/** Writes the rendered CSV to a local path (or a mounted share) by atomic rename. */
export const CsvFileTargetConfigSchema = z
  .object({
    type: z.literal('csv-file'),
    /** Relative paths are resolved against the config file's folder. */
    path: z.string().min(1),
    columns: z.array(ColumnSchema).min(1),
    /** Which employees the file lists; leavers are left out unless named here. */
    statuses: z.array(z.enum(EMPLOYMENT_STATUSES)).min(1).default(['active', 'pending', 'leave']),
    /** The cell separator; cells holding it are quoted (RFC 4180). */
    delimiter: z
      .string()
      .length(1)
      .refine((delimiter) => !['"', '\r', '\n'].includes(delimiter), {
        error: 'must not be a double quote or a line break',
      })
      .default(','),
    /**
     * A cell that starts with = + - or @ gets a leading ', so a spreadsheet shows it instead of running
     * it. On by default: this file is for people, who open CSV files in spreadsheets.
     */
    escapeFormulas: z.boolean().default(true),
  })
  .strict()
  .superRefine((target, ctx) => {
    const seen = new Set<string>();
    target.columns.forEach((column, index) => {
      if (seen.has(column.header)) {
        ctx.addIssue({ code: 'custom', path: ['columns', index, 'header'], message: 'repeats an earlier header' });
      }
      seen.add(column.header);
    });
  });

export type CsvFileTargetConfig = z.infer<typeof CsvFileTargetConfigSchema>;
