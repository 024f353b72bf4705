import type { EmploymentStatus } from '../../../core/employee';
import { customFieldsOf, isoDate, mapStatus, statusTable, text, validateEmployee } from '../../sdk/mapping';
import type { MappedRow } from '../../sdk/mapping';
import type { RowRejection } from '../../sdk/source';
import type { PersonioConfig } from '../config';
import { PersonioEmployeeSchema } from '../types';
import { attributeText, findAttribute, mainCostCenter, relatedEmployeeField, relationName } from './attributes';
import type { PersonioAttributes } from './attributes';

/** Personio's `status` words; `onboarding` is someone hired who has not started yet. */
const PERSONIO_STATUS: Record<string, EmploymentStatus> = {
  active: 'active',
  onboarding: 'pending',
  leave: 'leave',
  inactive: 'inactive',
};

/**
 * The canonical fields a record cannot do without, and the Personio attribute each comes from.
 * Personio leaves out attributes the credential may not read, so a missing one is named.
 */
const REQUIRED_ATTRIBUTES: Record<string, string> = { sourceId: 'id', status: 'status' };

/** Builds the mapper once per listing: the status table merges the sync's own words. */
export function createPersonioMapper(config: PersonioConfig) {
  const statuses = statusTable(PERSONIO_STATUS, config.statusMap);

  /** `position` is the employee's 1-based place in the listing, for rows without a readable id. */
  return (item: unknown, position: number): MappedRow => {
    const parsed = PersonioEmployeeSchema.safeParse(item);
    if (!parsed.success) {
      return {
        ok: false,
        rejections: [{ row: `employee #${position}`, field: 'record', reason: 'is not a Personio employee object' }],
      };
    }
    const attributes = parsed.data.attributes;
    const value = (key: string): unknown => attributes[key]?.value;
    const id = text(value('id'));
    const rawStatus = text(value('status'));
    const mapped = validateEmployee(
      {
        sourceId: id,
        employeeNumber: config.employeeNumberAttribute
          ? attributeText(findAttribute(attributes, config.employeeNumberAttribute))
          : undefined,
        firstName: text(value('first_name')),
        lastName: text(value('last_name')),
        preferredName: text(value('preferred_name')),
        workEmail: text(value('email')),
        status: mapStatus(rawStatus, statuses),
        rawStatus,
        // `2014-11-09T00:00:00+01:00` is the calendar date 2014-11-09, whatever UTC says.
        hireDate: isoDate(value('hire_date')),
        terminationDate: isoDate(value('termination_date')),
        jobTitle: text(value('position')),
        employmentType: text(value('employment_type')),
        department: relationName(value('department')),
        division: relationName(value('subcompany')),
        location: relationName(value('office')),
        costCenter: mainCostCenter(value('cost_centers')),
        managerSourceId: relatedEmployeeField(value('supervisor'), 'id'),
        managerEmail: relatedEmployeeField(value('supervisor'), 'email'),
        customFields: customFieldsOf(
          Object.fromEntries(
            Object.entries(config.customFields).map(([name, attribute]) => [
              name,
              attributeText(findAttribute(attributes, attribute)),
            ]),
          ),
        ),
        updatedAt: text(value('last_modified_at')),
      },
      id === undefined ? `employee #${position}` : `employee ${id}`,
    );
    return mapped.ok
      ? mapped
      : { ok: false, rejections: mapped.rejections.map(explainRejection(attributes, rawStatus)) };
  };
}

/**
 * Says why a required field is missing: Personio left its attribute out (the credential may not
 * read it) or sent a status word nobody mapped. Never repeats the value itself.
 */
function explainRejection(attributes: PersonioAttributes, rawStatus: string | undefined) {
  return (rejection: RowRejection): RowRejection => {
    const attribute = REQUIRED_ATTRIBUTES[rejection.field];
    if (attribute !== undefined && !(attribute in attributes)) {
      return {
        ...rejection,
        reason: `is required, but Personio did not send the "${attribute}" attribute (add it to the API credential's readable attributes)`,
      };
    }
    if (rejection.field === 'status' && rawStatus !== undefined) {
      return { ...rejection, reason: 'is a Personio status word this connector does not know (map it in statusMap)' };
    }
    return rejection;
  };
}
