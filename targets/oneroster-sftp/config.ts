import { z } from 'zod';
import { RequiredHostKeySha256Schema, SftpLoginSchema } from '../../io/sftp/config';
import { EMPLOYMENT_STATUSES } from '../../core/employee';
import { FieldPathSchema } from '../../core/field-path';
import type { FieldPath } from '../../core/field-path';
import {
  AGE_GROUPS,
  ALLUDO_ORG_TYPES,
  ENABLED_USER_ENCODINGS,
  EXTENSION_VALUE,
  ONEROSTER_PROFILES,
  ORG_TYPES,
  ROLES,
  ROLE_TYPES,
  defaultEnabledUserEncoding,
} from './profiles';
import type { EnabledUserEncoding } from './profiles';

/** Employee fields an org level can come from: the org-like canonical fields, or a custom field. */
const ORG_FIELDS = ['department', 'location', 'division'] as const;
const orgField = z
  .string()
  .refine((path) => (ORG_FIELDS as readonly string[]).includes(path) || /^customFields\..+/.test(path), {
    error: 'must be department, location, division or customFields.<name>',
  })
  .transform((path) => path as FieldPath);

const orgType = z
  .string()
  .refine((type) => (ORG_TYPES as readonly string[]).includes(type) || EXTENSION_VALUE.test(type), {
    error: `must be one of ${ORG_TYPES.join(', ')} or an ext:<name> extension`,
  });

const role = z.string().refine((value) => (ROLES as readonly string[]).includes(value) || EXTENSION_VALUE.test(value), {
  error: `must be one of ${ROLES.join(', ')} or an ext:<name> extension`,
});

/**
 * The receiver's SFTP drop. The host key is required, not optional as for the CSV source: this target
 * pushes employee data, so it must never be sent to a server it has not been told to trust.
 */
export const OneRosterSftpSchema = SftpLoginSchema.extend({
  hostKeySha256: RequiredHostKeySha256Schema,
  /** Where the files go, absolute or relative to the SFTP user's login folder (Alludo: its root). */
  directory: z.string().min(1).default('.'),
});

export type OneRosterSftpConfig = z.infer<typeof OneRosterSftpSchema>;

/**
 * A OneRoster 1.2 CSV package (orgs, users, roles and, for the full profiles, manifest) dropped on an
 * SFTP server, in bulk mode: every run is a full snapshot, so `status` and `dateLastModified` stay
 * blank. Orgs are not an HR object: they are derived from one employee field (one level) or two (a
 * parent level above it, e.g. division -> department).
 *
 * - `alludo`: Alludo's "Automated Rostering" subset (specs/targets.md section 4): three loose files with
 *   only the numbered columns, `enabledUser` Yes/No, an `ageGroup` column, one level of group nesting.
 * - `oneroster-1.2` / `oneroster-1.2.1`: the full 1EdTech binding with manifest.csv; users.csv has 23
 *   and 22 columns respectively (1.2.1 dropped `resourceSourcedIds`).
 */
export const OneRosterTargetConfigSchema = z
  .object({
    type: z.literal('oneroster-sftp'),
    profile: z.enum(ONEROSTER_PROFILES),
    /** The field whose values become each user's primary org (e.g. a school site or a department). */
    orgsFrom: orgField,
    /**
     * The OneRoster org type of those orgs. Default: `school`, or with a parent level `local` (Alludo: a
     * group inside a group) / `department` (OneRoster: a department of a school).
     */
    orgType: orgType.optional(),
    /** An optional level above: its values become the parents of the `orgsFrom` orgs. */
    parentOrgsFrom: orgField.optional(),
    /** The parent level's org type. Default: `local` (an Alludo group) / `school` (OneRoster). */
    parentOrgType: orgType.optional(),
    /** The org name given to employees without an `orgsFrom` value; without it they have no primary org. */
    unassignedOrg: z.string().trim().min(1).optional(),
    /** Org sourcedIds are `<prefix><slug of the name>-<8 hex digits of a hash>`; see orgs.ts. */
    orgIdPrefix: z
      .string()
      .regex(/^[A-Za-z0-9._-]*$/, { error: 'may hold only letters, digits, dots, dashes and underscores' })
      .default('org-'),
    /**
     * The role each user has in their primary org. The 1.2 enumeration has no "administrator" or
     * "staff", and Alludo says "in general this will be teacher", so staff default to `teacher`; map a
     * field's values (e.g. job titles, compared without regard to case) to other roles.
     */
    role: z
      .object({
        default: role.default('teacher'),
        from: FieldPathSchema.optional(),
        map: z.record(z.string().min(1), role).default({}),
      })
      .strict()
      .default({ default: 'teacher', map: {} }),
    /**
     * The roleType of that role. OneRoster needs exactly one `primary` role per user. Alludo's page says
     * the primary site belongs in users.csv and roles are "in the vast majority of cases" secondary: set
     * `secondary` if Alludo support asks for it (the safest 1.2 reading is the default).
     */
    roleType: z.enum(ROLE_TYPES).default('primary'),
    /** Default: Yes/No for Alludo, true/false for OneRoster (the only values its readers accept). */
    enabledUserEncoding: z.enum(ENABLED_USER_ENCODINGS).optional(),
    /** Employees with these statuses are enabled; the others are leavers. */
    enabledStatuses: z.array(z.enum(EMPLOYMENT_STATUSES)).min(1).default(['active', 'pending', 'leave']),
    /**
     * `disable` keeps leavers in the files with enabledUser No/false, the one documented way to remove
     * an Alludo user's access (what a receiver does with a user missing from a file is unknown).
     * `omit` leaves them out of every file.
     */
    leavers: z.enum(['disable', 'omit']).default('disable'),
    /**
     * Give cells that start with = + - or @ a leading ' (as for a file opened in a spreadsheet). Off by
     * default: the receiver stores the cell as data, so a name `-Ops` would become `'-Ops`.
     */
    escapeFormulas: z.boolean().default(false),
    /** Alludo's `ageGroup` column; staff are adults. Not written by the full profiles. */
    ageGroup: z.enum(AGE_GROUPS).default('adult'),
    /** manifest.csv's `source.*` rows (full profiles); receivers want them populated and stable. */
    manifestSource: z
      .object({
        systemName: z.string().min(1).default('rosterflow'),
        systemCode: z.string().min(1).default('rosterflow'),
      })
      .strict()
      .default({ systemName: 'rosterflow', systemCode: 'rosterflow' }),
    sftp: OneRosterSftpSchema,
  })
  .strict()
  .superRefine((target, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (target.parentOrgsFrom !== undefined && target.parentOrgsFrom === target.orgsFrom)
      issue(['parentOrgsFrom'], 'must be another field than orgsFrom');
    if (target.parentOrgsFrom === undefined && target.parentOrgType !== undefined)
      issue(['parentOrgType'], 'is only used with parentOrgsFrom');
    if (target.profile === 'alludo') {
      const alludoTypes: readonly string[] = ALLUDO_ORG_TYPES;
      const types = orgTypesOf(target);
      if (!alludoTypes.includes(types.org)) issue(['orgType'], 'must be school or local for Alludo');
      if (types.parent !== undefined && !alludoTypes.includes(types.parent))
        issue(['parentOrgType'], 'must be school or local for Alludo');
      // "Alludo supports one level of nesting groups (local)": what nests is a group.
      if (types.parent !== undefined && types.org !== 'local')
        issue(['orgType'], 'must be local when orgs are nested under a parent level (Alludo nests groups only)');
      const roles = [target.role.default, ...Object.values(target.role.map)];
      if (roles.some((value) => !(ROLES as readonly string[]).includes(value)))
        issue(['role'], `Alludo accepts only ${ROLES.join(', ')}`);
    } else {
      if (target.enabledUserEncoding === 'yes-no')
        issue(['enabledUserEncoding'], 'must be true-false for OneRoster (its readers accept only true and false)');
      if (target.roleType !== 'primary')
        issue(['roleType'], 'must be primary for OneRoster (every user needs exactly one primary role)');
    }
    const seen = new Map<string, string>();
    for (const key of Object.keys(target.role.map)) {
      const folded = key.trim().toLowerCase();
      if (seen.has(folded))
        issue(['role', 'map', key], `repeats "${seen.get(folded)}" (keys are compared without case)`);
      seen.set(folded, key);
    }
  });

export type OneRosterTargetConfig = z.infer<typeof OneRosterTargetConfigSchema>;

/** The org type of each level, with the profile's defaults filled in. */
export function orgTypesOf(
  config: Pick<OneRosterTargetConfig, 'profile' | 'orgType' | 'parentOrgsFrom' | 'parentOrgType'>,
): { org: string; parent: string | undefined } {
  const nested = config.parentOrgsFrom !== undefined;
  const alludo = config.profile === 'alludo';
  const org = config.orgType ?? (nested ? (alludo ? 'local' : 'department') : 'school');
  const parent = nested ? (config.parentOrgType ?? (alludo ? 'local' : 'school')) : undefined;
  return { org, parent };
}

export function enabledUserEncodingOf(
  config: Pick<OneRosterTargetConfig, 'profile' | 'enabledUserEncoding'>,
): EnabledUserEncoding {
  return config.enabledUserEncoding ?? defaultEnabledUserEncoding(config.profile);
}
