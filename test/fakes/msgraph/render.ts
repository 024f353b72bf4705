import type { Person } from '../support/people';

/** Pending people start on this date; tests fix the connector's clock before it. */
export const MSGRAPH_PENDING_HIRE_DATE = '2027-01-04';
export const MSGRAPH_COMPANY_NAME = 'Contoso Ltd';

/** Graph ids are GUIDs; the fake derives one per synthetic person so tests can tell it from employeeId. */
export function graphUserId(personId: string): string {
  return `00000000-0000-4000-8000-${personId.padStart(12, '0')}`;
}

/** What `GET /users` returns without `$select`: https://learn.microsoft.com/en-us/graph/api/user-list */
export const DEFAULT_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];

/** User properties the fake knows; selecting anything else is refused as Graph does. */
export const KNOWN_PROPERTIES = new Set([
  ...DEFAULT_PROPERTIES,
  'employeeId',
  'accountEnabled',
  'department',
  'companyName',
  'employeeType',
  'employeeHireDate',
  'employeeLeaveDateTime',
  'employeeOrgData',
  'onPremisesExtensionAttributes',
  'userType',
  'createdDateTime',
]);

/**
 * A person as an Entra ID user. Graph has no status field: the fake expresses the person's status
 * with `accountEnabled` and the lifecycle dates (pending: disabled until a future hire date;
 * inactive: disabled after a leave date; leave: an ordinary enabled account).
 */
export function userProperties(person: Person): Record<string, unknown> {
  const enabled = person.status === 'active' || person.status === 'leave';
  return {
    id: graphUserId(person.id),
    employeeId: person.employeeNumber,
    givenName: person.firstName,
    surname: person.lastName,
    displayName: `${person.firstName} ${person.lastName}`,
    mail: person.email,
    userPrincipalName: person.email,
    accountEnabled: enabled,
    department: person.department,
    jobTitle: person.jobTitle,
    officeLocation: person.location,
    companyName: MSGRAPH_COMPANY_NAME,
    employeeType: person.employmentType,
    employeeHireDate: `${person.status === 'pending' ? MSGRAPH_PENDING_HIRE_DATE : person.hireDate}T00:00:00Z`,
    employeeLeaveDateTime: person.terminationDate ? `${person.terminationDate}T17:00:00Z` : null,
    employeeOrgData: { division: person.division, costCenter: person.costCenter },
    businessPhones: [],
    mobilePhone: null,
    preferredLanguage: 'en-GB',
    userType: 'Member',
    onPremisesExtensionAttributes: null,
    createdDateTime: `${person.hireDate}T08:00:00Z`,
  };
}

/**
 * The selected properties of a user. /users returns unset selected properties as null; delta
 * responses leave them out (`omitNulls`).
 */
export function selectProperties(
  properties: Record<string, unknown>,
  select: readonly string[],
  omitNulls: boolean,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const name of new Set([...select, 'id'])) {
    const value = properties[name] ?? null;
    if (value === null && omitNulls) continue;
    result[name] = value;
  }
  return result;
}
