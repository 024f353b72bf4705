import { z } from 'zod';
import { EMPLOYEE_FIELDS, EMPLOYMENT_STATUSES } from '../../core/employee';

const canonicalFieldNames = z.enum(EMPLOYEE_FIELDS);

/** A CSV file dropped on a local path by the HR team or an HRIS export job. */
export const CsvDropConfigSchema = z
  .object({
    type: z.literal('csv'),
    /** Relative paths are resolved against the config file's folder. */
    path: z.string().min(1),
    delimiter: z.string().length(1).default(','),
    encoding: z.enum(['utf-8', 'latin1']).default('utf-8'),
    /** Canonical field -> CSV header. Unmapped fields fall back to a header of the same name. */
    columns: z.partialRecord(canonicalFieldNames, z.string().min(1)).default({}),
    /** Custom field name -> CSV header. */
    customFields: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** The file's status words -> canonical status (matched case-insensitively). */
    statusMap: z.record(z.string().min(1), z.enum(EMPLOYMENT_STATUSES)).default({}),
    pageSize: z.int().min(1).max(10_000).default(500),
  })
  .strict();

export type CsvDropConfig = z.infer<typeof CsvDropConfigSchema>;
