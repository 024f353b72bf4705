import { z } from 'zod';

/**
 * One row of a RaaS report in JSON: column alias -> value. Single values are text ("1", "2024-03-04"),
 * references can be `{Descriptor, ID}` objects and multi-instance columns arrays; columns the
 * integration user may not see, or that are empty, are often simply missing.
 */
export const WorkdayRaasReportEntrySchema = z.record(z.string(), z.unknown());
export type WorkdayRaasReportEntry = z.infer<typeof WorkdayRaasReportEntrySchema>;

/**
 * `GET /ccx/service/customreport2/{tenant}/{owner}/{report}?format=json`: the whole report in one
 * body. Entries are checked one by one in the mapper, so one odd row does not fail the listing.
 */
export const WorkdayRaasReportSchema = z.object({ Report_Entry: z.array(z.unknown()) }).passthrough();
export type WorkdayRaasReport = z.infer<typeof WorkdayRaasReportSchema>;

/** A reference value: the instance's display text and its id(s). */
export const WorkdayRaasReferenceSchema = z
  .object({ Descriptor: z.unknown().optional(), ID: z.unknown().optional() })
  .passthrough();

/** One id of a reference as Workday's JSON renders `<wd:ID wd:type="Employee_ID">21001</wd:ID>`. */
export const WorkdayRaasTypedIdSchema = z
  .object({ type: z.string().optional(), _value: z.union([z.string(), z.number()]) })
  .passthrough();
