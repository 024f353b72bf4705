import { z } from 'zod';

/** An organisational unit (department, location, legal entity...), as OneRoster's orgs need them. */
export const OrgSchema = z
  .object({
    sourcedId: z.string().min(1),
    name: z.string().min(1),
    type: z.string().min(1),
    parentSourcedId: z.string().min(1).optional(),
  })
  .strict();

export type Org = z.infer<typeof OrgSchema>;
