import { z } from 'zod';

/**
 * The slice of a Bob people-search record rosterflow reads. Fields the service user may not see
 * are omitted by Bob, so everything but `id` is optional.
 * https://apidocs.hibob.com/reference/post_people-search
 */
export const HibobEmployeeSchema = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String),
    firstName: z.string().nullish(),
    surname: z.string().nullish(),
    displayName: z.string().nullish(),
    email: z.string().nullish(),
    work: z
      .object({
        title: z.string().nullish(),
        department: z.string().nullish(),
        site: z.string().nullish(),
        startDate: z.string().nullish(),
        employeeIdInCompany: z.union([z.string(), z.number()]).nullish(),
        reportsTo: z.object({ id: z.union([z.string(), z.number()]).nullish(), email: z.string().nullish() }).nullish(),
      })
      .passthrough()
      .nullish(),
    internal: z
      .object({
        status: z.string().nullish(),
        lifecycleStatus: z.string().nullish(),
        terminationDate: z.string().nullish(),
      })
      .passthrough()
      .nullish(),
    payroll: z
      .object({ employment: z.object({ type: z.string().nullish() }).passthrough().nullish() })
      .passthrough()
      .nullish(),
  })
  .passthrough();

export type HibobEmployee = z.infer<typeof HibobEmployeeSchema>;

export const HibobPeopleSearchResponseSchema = z.object({ employees: z.array(z.unknown()) });
