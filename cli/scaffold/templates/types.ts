import type { ScaffoldNames } from '../names';

/** connectors/<name>/types.ts: zod schemas of the raw vendor responses, prefixed with the provider. */
export function typesTemplate(n: ScaffoldNames): string {
  return `import { z } from 'zod';

const id = z.union([z.string(), z.number()]).transform(String);

/**
 * The slice of the vendor's employee record rosterflow reads. Vendors leave out or null fields the
 * token may not see, so everything but \`id\` is optional; \`.passthrough()\` keeps the rest for
 * custom-field paths. TODO: the vendor's real field names, from its API reference:
 * https://developers.${n.kebab}.example.com/reference/list-employees
 */
export const ${n.pascal}EmployeeSchema = z
  .object({
    id,
    employeeNumber: z.string().nullish(),
    firstName: z.string().nullish(),
    lastName: z.string().nullish(),
    preferredName: z.string().nullish(),
    workEmail: z.string().nullish(),
    status: z.string().nullish(),
    hireDate: z.string().nullish(),
    terminationDate: z.string().nullish(),
    jobTitle: z.string().nullish(),
    department: z.string().nullish(),
    location: z.string().nullish(),
    managerId: id.nullish(),
  })
  .passthrough();

export type ${n.pascal}Employee = z.infer<typeof ${n.pascal}EmployeeSchema>;

/**
 * One page of \`GET /employees\`. Items stay \`unknown\` here so one malformed record is rejected by
 * row instead of failing the page. TODO: the vendor's real envelope (\`data\`/\`items\`/\`results\`,
 * its total or next-page field).
 */
export const ${n.pascal}EmployeePageSchema = z.object({
  data: z.array(z.unknown()),
  total: z.int().min(0),
});
`;
}
