import { readField } from '../../core/field-path';
import type { Employee } from '../../core/employee';
import type { ArtifactLayout, CsvRow } from '../sdk/layout';
import { WORK_EMAIL } from './attributes';
import type { ScimTargetConfig } from './config';

/** The desired-state file: one row per person, what the app's user should look like. */
export const SCIM_ARTIFACT_NAME = 'scim-users.csv';
export const EXTERNAL_ID_HEADER = 'externalId';
export const ACTIVE_HEADER = 'active';

/** The file's header: the HR id, whether the account should be active, then each mapped attribute's path. */
export function scimHeaders(config: Pick<ScimTargetConfig, 'attributes'>): string[] {
  return [EXTERNAL_ID_HEADER, ACTIVE_HEADER, ...config.attributes.map((mapping) => mapping.attribute)];
}

/**
 * SCIM speaks per person, so its layout is a desired state rather than an upload: every employee
 * with the attributes the app should hold. Active and on-leave employees get an active account;
 * leavers an inactive one (an existing account is deactivated; none is created); a pending hire's
 * account is left as it is (none is created before they start).
 * The file is the run's artifact, so the delivery works from exactly what was checked and counted.
 */
export function createScimLayouts(config: ScimTargetConfig): readonly ArtifactLayout[] {
  const emailHeaders = config.attributes
    .filter(
      (mapping) =>
        mapping.attribute === WORK_EMAIL || (mapping.attribute === 'userName' && mapping.field.endsWith('Email')),
    )
    .map((mapping) => mapping.attribute);
  const userNameAt = scimHeaders(config).indexOf('userName');
  const layout: ArtifactLayout = {
    fileName: SCIM_ARTIFACT_NAME,
    headers: scimHeaders(config),
    rowsFor(employee: Employee): readonly CsvRow[] {
      const active = employee.status === 'active' || employee.status === 'leave';
      // An inactive account is only ever found by its HR id: its values are left blank, so a leaver's
      // old address cannot clash with (and block) a new hire who now has it.
      const values = config.attributes.map((mapping) => (active ? (readField(employee, mapping.field) ?? '') : ''));
      // A pending hire's account is neither created nor changed until they start.
      const state = active ? 'true' : employee.status === 'pending' ? 'pending' : 'false';
      return [[employee.sourceId, state, ...values]];
    },
    checks: {
      required: [EXTERNAL_ID_HEADER],
      emails: emailHeaders,
      // The app matches by externalId and refuses a second user with the same userName (RFC 7643: unique).
      unique: [EXTERNAL_ID_HEADER, 'userName'],
      // A leaver without an address must not stop the run: only an account to keep needs a userName.
      rules: (row) =>
        row[1] === 'true' && row[userNameAt] === ''
          ? [{ field: 'userName', reason: 'is required for an active account' }]
          : [],
    },
    escapeFormulas: false,
  };
  return [layout];
}
