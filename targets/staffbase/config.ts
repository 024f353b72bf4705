import ms from 'ms';
import { z } from 'zod';
import { isSafeBaseUrl } from '../../io/safe-url';
import { SecretRefSchema } from '../../io/secrets';
import { FieldPathSchema } from '../../core/field-path';
import { DeactivationLimitsSchema } from '../sdk/deactivation-limits';
import type { FieldPath } from '../../core/field-path';

/**
 * Staffbase attributes a CSV column may be mapped to (https://developers.staffbase.com/references/csv-import-mappings).
 * `status` is not listed: it belongs to the status column the delta layout adds itself.
 */
export const STAFFBASE_ATTRIBUTES = [
  'externalId',
  'eMail',
  'userName',
  'accessCode',
  'recoveryCode',
  'recoveryCodeExpiration',
  'mandatoryGroupIDs',
] as const;

/** Custom profile field ids are lowercase with `&` and spaces stripped; built-in ones are camelCase. */
const PROFILE_FIELD = /^profile-field:[A-Za-z0-9_-]+$/;

export type StaffbaseAttribute = (typeof STAFFBASE_ATTRIBUTES)[number] | `profile-field:${string}`;

const AttributeSchema = z
  .string()
  .refine(
    (value): value is StaffbaseAttribute =>
      (STAFFBASE_ATTRIBUTES as readonly string[]).includes(value) || PROFILE_FIELD.test(value),
    { error: `must be one of ${STAFFBASE_ATTRIBUTES.join(', ')} or profile-field:<fieldId>` },
  );

const ColumnSchema = z
  .object({
    header: z.string().trim().min(1),
    /** The employee field the cell is read from; only the externalId column may leave it out (it reads `sourceId`). */
    field: FieldPathSchema.optional(),
    attribute: AttributeSchema,
  })
  .strict()
  .refine((column) => column.field !== undefined || column.attribute === 'externalId', {
    error: 'needs a field (only the externalId column defaults to sourceId)',
    path: ['field'],
  })
  .transform((column) => ({
    header: column.header,
    field: column.field ?? ('sourceId' satisfies FieldPath),
    attribute: column.attribute,
  }));

export type StaffbaseColumn = z.output<typeof ColumnSchema>;

/** The columns a config without `columns` gets: the notebook's headers, identifier from the HRIS's immutable id. */
const DEFAULT_COLUMNS = [
  { header: 'Identifier', field: 'sourceId', attribute: 'externalId' },
  { header: 'Email Address', field: 'workEmail', attribute: 'eMail' },
  { header: 'First Name', field: 'firstName', attribute: 'profile-field:firstName' },
  { header: 'Last Name', field: 'lastName', attribute: 'profile-field:lastName' },
];

function durationMs(value: string): number {
  const parsed: unknown = ms(value as ms.StringValue);
  return typeof parsed === 'number' ? parsed : NaN;
}

const duration = z.string().refine((value) => !Number.isNaN(durationMs(value)), {
  error: 'must be a duration such as "10s", "2m" or "6h"',
});

/** How the workflow polls an import's state; the notebook polled every 10 s. */
const PollingSchema = z
  .object({
    initialInterval: duration.default('10s'),
    /** Intervals double up to this. */
    maxInterval: duration.default('2m'),
    /** How long one phase (preview, import) may take before the run fails. */
    timeout: duration.default('6h'),
  })
  .strict()
  // `!(a > b)`: a malformed duration (NaN) is reported once, by `duration`, not again here.
  .refine((polling) => !(durationMs(polling.initialInterval) > durationMs(polling.maxInterval)), {
    error: 'initialInterval must not exceed maxInterval',
    path: ['initialInterval'],
  })
  .refine((polling) => !(durationMs(polling.maxInterval) >= durationMs(polling.timeout)), {
    error: 'maxInterval must be shorter than timeout',
    path: ['maxInterval'],
  });

export type StaffbasePolling = z.output<typeof PollingSchema>;

/** The polling settings in milliseconds, for the workflow's timers. */
export function pollingDelaysMs(polling: StaffbasePolling): {
  initialIntervalMs: number;
  maxIntervalMs: number;
  timeoutMs: number;
} {
  return {
    initialIntervalMs: durationMs(polling.initialInterval),
    maxIntervalMs: durationMs(polling.maxInterval),
    timeoutMs: durationMs(polling.timeout),
  };
}

/** The tenant's API root, reached safely (io/safe-url.ts: the token must not cross the network in clear). */
function isTenantApiUrl(value: string): boolean {
  if (!URL.canParse(value)) return true; // z.url() reports it
  return isSafeBaseUrl(value) && /\/api\/?$/.test(new URL(value).pathname);
}

/**
 * Staffbase's (new) CSV Import API (beta): https://developers.staffbase.com/guides/get-started-with-csv-import
 * The run uploads one CSV, maps its columns to Staffbase attributes, previews, imports and polls.
 */
export const StaffbaseTargetConfigSchema = z
  .object({
    type: z.literal('staffbase'),
    /** The tenant's API root: `https://<app>.staffbase.com/api` or a custom domain plus `/api`. */
    baseUrl: z.url().refine(isTenantApiUrl, {
      error: 'must be the https URL of the tenant API ending in /api, e.g. https://exampleapp.staffbase.com/api',
    }),
    /** The API token from Studio (Settings > API Access, administrative); already base64, sent as it is. */
    apiToken: SecretRefSchema,
    /**
     * `delta` changes only the users in the file and off-boards leavers through the status column.
     * `full` ("Overwrite all") also deactivates active users and deletes pending users missing from the file.
     */
    mode: z.enum(['delta', 'full']).default('delta'),
    /** The explicit opt-in `mode: full` needs. */
    allowFullImport: z.boolean().default(false),
    columns: z.array(ColumnSchema).min(1).prefault(DEFAULT_COLUMNS),
    /**
     * Delta mode only: the account status column, mapped to the `status` attribute and filled with
     * `Activated` or `Deactivated`. Full mode leaves it out (a leaver is off-boarded by being absent).
     */
    statusHeader: z.string().trim().min(1).default('Status_code'),
    /** Invite new users by email (Studio offers it only when an email column is mapped). */
    sendMailsNew: z.boolean().default(false),
    /** Invite pending users by email again. */
    sendMailsPending: z.boolean().default(false),
    generateRecoveryCodes: z.boolean().default(false),
    /** The cell separator (Studio's default is `;`): the file is written with it, and the upload and import config declare it. */
    separator: z.enum([',', ';', '\t', '|']).default(','),
    /**
     * Give cells that start with = + - or @ a leading ' (as for a file opened in a spreadsheet). Off by
     * default: Staffbase stores the cell as the profile value, so `-Ops` would become `'-Ops`.
     * The identifier and email columns are never escaped (Staffbase matches users by them).
     */
    escapeFormulas: z.boolean().default(false),
    polling: PollingSchema.prefault({}),
    /**
     * Checked against the preview before the import is requested: more deactivations (and deletions
     * of pending users) than this fails the run and nothing is imported. The percentage is of the
     * users the preview counts (created, updated, deactivated, deleted, unchanged).
     */
    safety: DeactivationLimitsSchema,
  })
  .strict()
  .superRefine((target, ctx) => {
    if (target.mode === 'full' && !target.allowFullImport) {
      ctx.addIssue({
        code: 'custom',
        path: ['mode'],
        message:
          "'full' deactivates every active Staffbase user and deletes every pending user missing from the file; " +
          'set allowFullImport: true to confirm, or use mode delta',
      });
    }
    const headers = new Set<string>();
    const attributes = new Set<string>();
    target.columns.forEach((column, index) => {
      if (headers.has(column.header)) {
        ctx.addIssue({ code: 'custom', path: ['columns', index, 'header'], message: 'repeats an earlier header' });
      }
      if (attributes.has(column.attribute)) {
        ctx.addIssue({
          code: 'custom',
          path: ['columns', index, 'attribute'],
          message: 'is already mapped by an earlier column (Staffbase maps each attribute to one column)',
        });
      }
      headers.add(column.header);
      attributes.add(column.attribute);
    });
    if (!attributes.has('externalId')) {
      ctx.addIssue({
        code: 'custom',
        path: ['columns'],
        message: 'must map one column to externalId (the mandatory Staffbase identifier)',
      });
    }
    if (target.mode === 'delta' && headers.has(target.statusHeader)) {
      ctx.addIssue({ code: 'custom', path: ['statusHeader'], message: 'is also the header of a column' });
    }
    if ((target.sendMailsNew || target.sendMailsPending) && !attributes.has('eMail')) {
      ctx.addIssue({
        code: 'custom',
        path: [target.sendMailsNew ? 'sendMailsNew' : 'sendMailsPending'],
        message: 'needs a column mapped to eMail (Staffbase invites by email only)',
      });
    }
  });

export type StaffbaseTargetConfig = z.output<typeof StaffbaseTargetConfigSchema>;
export type StaffbaseTargetConfigInput = z.input<typeof StaffbaseTargetConfigSchema>;
