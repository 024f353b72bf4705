import type { Employee } from '../../core/employee';
import { readField } from '../../core/field-path';
import type { ArtifactLayout } from '../sdk/layout';
import { enabledUserEncodingOf } from './config';
import type { OneRosterTargetConfig } from './config';
import { manifestRows } from './manifest';
import { DerivedOrgsSchema, OrgRegistry, createOrgDeriver } from './orgs';
import type { OrgPlacement } from './orgs';
import { MANIFEST_FILE, MANIFEST_HEADERS, enabledUserValues, headersOf, isFullProfile } from './profiles';
import { oneRosterRowRules } from './validate';

/** Everything one employee contributes, worked out once per layout call from the same pure functions. */
interface EmployeeFacts {
  sourcedId: string;
  enabledUser: string;
  placement: OrgPlacement | undefined;
  role: string;
}

/**
 * The package's layouts, in upload order: orgs.csv, users.csv, roles.csv and, for the full OneRoster
 * profiles, manifest.csv last. Bulk mode throughout: `status` and `dateLastModified` are blank.
 *
 * Leavers (statuses outside `enabledStatuses`) stay in users.csv and roles.csv with enabledUser
 * No/false unless `leavers: omit`; their orgs stay too, so their references resolve. Orgs are
 * collected while employees pass through `rowsFor` and written by `finish()`.
 */
export function createOneRosterLayouts(config: OneRosterTargetConfig): ArtifactLayout[] {
  const headers = headersOf(config.profile);
  const deriver = createOrgDeriver(config);
  const registry = new OrgRegistry();
  const enabledStatuses = new Set(config.enabledStatuses);
  const { enabled, disabled } = enabledUserValues(enabledUserEncodingOf(config));
  const roleMap = new Map(Object.entries(config.role.map).map(([key, value]) => [key.trim().toLowerCase(), value]));
  const full = isFullProfile(config.profile);

  const factsOf = (employee: Employee): EmployeeFacts | undefined => {
    const isEnabled = enabledStatuses.has(employee.status);
    if (!isEnabled && config.leavers === 'omit') return undefined;
    const roleValue = config.role.from === undefined ? undefined : readField(employee, config.role.from);
    return {
      sourcedId: employee.sourceId,
      enabledUser: isEnabled ? enabled : disabled,
      placement: deriver.placementOf(employee),
      role: (roleValue === undefined ? undefined : roleMap.get(roleValue.trim().toLowerCase())) ?? config.role.default,
    };
  };

  const orgs: ArtifactLayout = {
    fileName: 'orgs.csv',
    headers: headers.orgs,
    rowsFor(employee) {
      const placement = factsOf(employee)?.placement;
      if (placement) registry.add(placement);
      return [];
    },
    finish() {
      return registry.list().map((org) => {
        const name = org.name;
        const parent = org.parentSourcedId ?? '';
        return full ? [org.sourcedId, '', '', name, org.type, '', parent] : [org.sourcedId, name, org.type, parent];
      });
    },
    checks: { required: ['sourcedId', 'name', 'type'], unique: ['sourcedId'] },
    state: {
      save: () => registry.list(),
      restore: (saved) => registry.restore(DerivedOrgsSchema.parse(saved)),
    },
  };

  const users: ArtifactLayout = {
    fileName: 'users.csv',
    headers: headers.users,
    rowsFor(employee) {
      const facts = factsOf(employee);
      if (!facts) return [];
      const givenName = employee.firstName ?? employee.preferredName ?? '';
      const familyName = employee.lastName ?? '';
      const email = employee.workEmail ?? '';
      const identifier = employee.employeeNumber ?? '';
      const primaryOrg = facts.placement?.org.sourcedId ?? '';
      if (!full) {
        return [
          [facts.sourcedId, identifier, facts.enabledUser, givenName, familyName, email, primaryOrg, config.ageGroup],
        ];
      }
      const byHeader: Record<string, string> = {
        sourcedId: facts.sourcedId,
        enabledUser: facts.enabledUser,
        // The login the receiver matches for SSO: the work email, as ClassLink and others require.
        username: email,
        givenName,
        familyName,
        identifier,
        email,
        preferredGivenName: employee.preferredName ?? '',
        primaryOrgSourcedId: primaryOrg,
      };
      return [headers.users.map((header) => byHeader[header] ?? '')];
    },
    checks: full
      ? {
          // primaryOrgSourcedId is ours, not the spec's: every OneRoster user needs a primary role,
          // which needs an org (set `unassignedOrg` to give org-less employees one).
          required: ['sourcedId', 'enabledUser', 'username', 'givenName', 'familyName', 'primaryOrgSourcedId'],
          emails: ['email'],
          unique: ['sourcedId', 'username'],
        }
      : {
          // "Each user must have a unique email address."
          required: ['sourcedId', 'enabledUser', 'givenName', 'familyName', 'email'],
          emails: ['email'],
          unique: ['sourcedId', 'email'],
        },
  };

  const roles: ArtifactLayout = {
    fileName: 'roles.csv',
    headers: headers.roles,
    rowsFor(employee) {
      const facts = factsOf(employee);
      const org = facts?.placement?.org;
      if (!facts || !org) return [];
      const sourcedId = roleSourcedId(facts.sourcedId, org.sourcedId);
      if (!full) return [[sourcedId, facts.sourcedId, config.roleType, facts.role, org.sourcedId]];
      return [
        [
          sourcedId,
          '',
          '',
          facts.sourcedId,
          config.roleType,
          facts.role,
          employee.hireDate ?? '',
          employee.terminationDate ?? '',
          org.sourcedId,
          '',
        ],
      ];
    },
    checks: { required: ['sourcedId', 'userSourcedId', 'roleType', 'role', 'orgSourcedId'], unique: ['sourcedId'] },
  };

  const encoding = { enabledUserEncoding: enabledUserEncodingOf(config) };
  const withPackageRules = (layout: ArtifactLayout): ArtifactLayout => ({
    ...layout,
    // The package check's per-row rules, applied row by row: one bad row never fails the package.
    checks: { ...layout.checks, rules: oneRosterRowRules(layout.fileName, layout.headers, config.profile, encoding) },
    escapeFormulas: config.escapeFormulas,
    // Addresses are matched by the receiver (SSO logins): a leading ' would make them other addresses.
    verbatim: ['email', 'username'],
  });
  const files = [withPackageRules(orgs), withPackageRules(users), withPackageRules(roles)];
  if (!full) return files;
  const manifest: ArtifactLayout = {
    fileName: MANIFEST_FILE,
    headers: MANIFEST_HEADERS,
    rowsFor: () => [],
    finish: () => manifestRows(config),
    escapeFormulas: config.escapeFormulas,
  };
  return [...files, manifest];
}

/**
 * One role per user and org, so a user who moves to another org gets a new role rather than a
 * changed one. Stable across runs because both ids are.
 */
export function roleSourcedId(userSourcedId: string, orgSourcedId: string): string {
  return `role-${userSourcedId}-${orgSourcedId}`;
}
