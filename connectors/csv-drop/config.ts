import { z } from 'zod';
import { EMPLOYEE_FIELDS, EMPLOYMENT_STATUSES } from '../../core/employee';
import { HostKeySha256Schema, SftpLoginSchema } from '../../io/sftp/config';

const canonicalFieldNames = z.enum(EMPLOYEE_FIELDS);

/** The encodings HR exports come in: Excel's "Unicode text" is UTF-16LE, older Windows tools write Windows-1252. */
export const CSV_ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'latin1'] as const;
export type CsvEncoding = (typeof CSV_ENCODINGS)[number];

/** Where to fetch the drop when it sits on an SFTP server; pinning its host key is optional. */
export const CsvDropSftpSchema = SftpLoginSchema.extend({
  /** Pins the server's host key; a server presenting another key is refused. */
  hostKeySha256: HostKeySha256Schema.optional(),
});

export type CsvDropSftpConfig = z.infer<typeof CsvDropSftpSchema>;

/** A CSV file dropped by the HR team or an HRIS export job, on a local path or an SFTP server. */
export const CsvDropConfigSchema = z
  .object({
    type: z.literal('csv'),
    /**
     * The file. Locally, relative paths are resolved against the config file's folder; with `sftp`
     * it is the remote path, absolute or relative to the SFTP user's login folder.
     */
    path: z.string().min(1),
    /** Fetch `path` from this SFTP server instead of the local file system. */
    sftp: CsvDropSftpSchema.optional(),
    delimiter: z.string().length(1).default(','),
    /** A byte-order mark matching the encoding is skipped; one contradicting it fails the file. */
    encoding: z.enum(CSV_ENCODINGS).default('utf-8'),
    /** Canonical field -> CSV header. Unmapped fields fall back to a header of the same name. */
    columns: z.partialRecord(canonicalFieldNames, z.string().min(1)).default({}),
    /** Custom field name -> CSV header. */
    customFields: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** The file's status words -> canonical status (matched case-insensitively). */
    statusMap: z.record(z.string().min(1), z.enum(EMPLOYMENT_STATUSES)).default({}),
    pageSize: z.int().min(1).max(10_000).default(5000),
  })
  .strict();

export type CsvDropConfig = z.infer<typeof CsvDropConfigSchema>;
