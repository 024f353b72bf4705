import { z } from 'zod';
import { SafeBaseUrlSchema } from '../../io/safe-url';
import { SecretRefSchema } from '../../io/secrets';
import { EMPLOYMENT_STATUSES } from '../../core/employee';
import { FieldPathSchema } from '../../core/field-path';

/** The header Allstacks matches contributors by (newer page); the older page's name is reserved too. */
export const ALLSTACKS_EMAIL_HEADER = 'Email';
const RESERVED_HEADERS = new Set(['email', 'user work email address']);
/** Same triggers as core/csv-cells.ts: a category header is written as it is, so it must not look like a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

const TagColumnSchema = z
  .object({
    /**
     * The CSV header, which Allstacks uses as the tag category. Repeat a category (exactly) to give a
     * contributor several tags in it: the older vendor page documents duplicate headers for that.
     */
    category: z
      .string()
      .min(1)
      .refine((category) => category === category.trim(), { error: 'must not start or end with spaces' })
      .refine((category) => !/[\r\n]/.test(category), { error: 'must be on one line' })
      .refine((category) => !FORMULA_START.test(category), { error: 'must not start with = + - @ or a tab' })
      .refine((category) => !RESERVED_HEADERS.has(category.toLowerCase()), {
        error: 'is the email column Allstacks matches contributors by, not a tag category',
      }),
    /** A canonical employee field, or `customFields.<name>`. */
    field: FieldPathSchema,
  })
  .strict();

/**
 * The five form fields of every upload. Each is sent on every upload as `true`/`false`, so the
 * vendor's own defaults never decide. The defaults here are the non-destructive choice, matching the
 * vendor's "if unsure, leave everything unchecked" except for `enableUsers`, which the vendor marks
 * "Recommended" and which only ever makes people visible.
 */
const FlagsSchema = z
  .object({
    /** `reconcile_tags`: tags a listed contributor has but the file does not give are removed
     * (vendor: "could remove useful tags that you are not aware of"). */
    reconcileTags: z.boolean().default(false),
    /** `enable_users`: contributors in the file are enabled, so they appear in workspaces. */
    enableUsers: z.boolean().default(true),
    /** `disable_users`: contributors not in the file are disabled. Off by default: the vendor advises
     * keeping leavers enabled for at least 90 days for historic reporting. */
    disableUsers: z.boolean().default(false),
    /** `delete_tag_categories`: categories not in the file are deleted ("could break dashboards"). */
    deleteTagCategories: z.boolean().default(false),
    /** `delete_tags`: tags no row gives are deleted ("could break dashboards"). */
    deleteTags: z.boolean().default(false),
  })
  .strict();

/**
 * Allstacks "Team Management CSV Upload" through the API (specs/targets.md section 2):
 * https://allstacks.atlassian.net/wiki/spaces/APG/pages/3156606977/Team+Management+CSV+Upload
 */
export const AllstacksTargetConfigSchema = z
  .object({
    type: z.literal('allstacks'),
    /** The tenant's base URL; the vendor notes it differs per tenant configuration. */
    // HTTP Basic: the password must not cross the network in clear (io/safe-url.ts).
    baseUrl: SafeBaseUrlSchema.default('https://app.allstacks.com'),
    /** The id in the contributor-management page's URL; YAML may give it as a number. */
    organizationId: z
      .union([z.int().nonnegative(), z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'must be the id from the URL' })])
      .transform(String),
    /** The API user of HTTP Basic auth (not secret). */
    username: z.string().min(1),
    password: SecretRefSchema,
    /** Tag columns after `Email`, in this order. Empty: the file only lists who is on the roster. */
    tags: z.array(TagColumnSchema).default([]),
    flags: FlagsSchema.prefault({}),
    /**
     * Give tags that start with = + - or @ a leading ' (as for a file opened in a spreadsheet). Off by
     * default: Allstacks stores the cell as the tag, so `-Ops` would become the tag `'-Ops`.
     */
    escapeFormulas: z.boolean().default(false),
    /**
     * The vendor allows one upload per organisation per this many seconds (5 minutes today); every
     * sync uploading to the organisation waits its turn. Change it only if Allstacks changes theirs.
     */
    uploadWindowSeconds: z.int().min(0).max(3600).default(300),
    /**
     * Who is written to the file. Leavers (`inactive`) are left out by default: with
     * `disableUsers: false` they simply stay enabled in Allstacks with their last tags (the vendor's
     * advice for historic reporting); with `disableUsers: true` leaving the file disables them on the
     * next upload. Listing `inactive` here keeps leavers in the file, so `enableUsers` re-enables them
     * and `disableUsers` never touches them. `pending` (not started yet) is left out by default.
     */
    statuses: z
      .array(z.enum(EMPLOYMENT_STATUSES))
      .min(1)
      .default(['active', 'leave'])
      .refine((statuses) => statuses.includes('active'), {
        // Without active people, disable_users would switch off everybody who works here.
        error: 'must include active',
      }),
  })
  .strict()
  .superRefine((target, ctx) => {
    // Case-variants of one category are almost certainly a typo; an exact repeat is intended.
    const firstSpelling = new Map<string, string>();
    target.tags.forEach((tag, index) => {
      const key = tag.category.toLowerCase();
      const earlier = firstSpelling.get(key);
      if (earlier !== undefined && earlier !== tag.category) {
        ctx.addIssue({
          code: 'custom',
          path: ['tags', index, 'category'],
          message: `differs only in case from "${earlier}"; repeat it exactly to give several tags in one category`,
        });
      }
      if (earlier === undefined) firstSpelling.set(key, tag.category);
    });
    if (target.tags.length === 0) {
      // With no tag columns these flags would strip or delete every tag the organisation has.
      for (const flag of ['reconcileTags', 'deleteTags', 'deleteTagCategories'] as const) {
        if (target.flags[flag]) {
          ctx.addIssue({ code: 'custom', path: ['flags', flag], message: 'needs at least one entry in tags' });
        }
      }
    }
  });

export type AllstacksTargetConfig = z.output<typeof AllstacksTargetConfigSchema>;
/** As written in the config file (`organizationId` may be a number, defaults not yet applied). */
export type AllstacksTargetConfigInput = z.input<typeof AllstacksTargetConfigSchema>;
export type AllstacksFlags = AllstacksTargetConfig['flags'];
