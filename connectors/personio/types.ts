import { z } from 'zod';

/**
 * `POST /v1/auth` answer: https://developer.personio.de/reference/auth (personio/api-docs
 * `personio-auth-api.yaml`). `expires_in` is 86400 today; older tokens were single-use.
 */
export const PersonioAuthResponseSchema = z.object({
  success: z.literal(true),
  data: z.object({ token: z.string().min(1), expires_in: z.coerce.number().positive().optional() }).passthrough(),
});

/**
 * One attribute of an employee: `{label, value, type, universal_id}`. Custom attributes
 * (`dynamic_<n>` keys) carry a label but no universal_id. `value` is a scalar, a relation object,
 * or an array of relations (`cost_centers`).
 */
export const PersonioAttributeSchema = z
  .object({
    label: z.string().nullish(),
    value: z.unknown(),
    type: z.string().nullish(),
    universal_id: z.string().nullish(),
  })
  .passthrough();

export type PersonioAttribute = z.infer<typeof PersonioAttributeSchema>;

/** An employee as `GET /v1/company/employees` lists it; only readable attributes are present. */
export const PersonioEmployeeSchema = z
  .object({ type: z.string().optional(), attributes: z.record(z.string(), PersonioAttributeSchema) })
  .passthrough();

export type PersonioEmployee = z.infer<typeof PersonioEmployeeSchema>;

/**
 * A relational value: `department`, `office`, `subcompany`, `team` as `{type, attributes:{id, name}}`,
 * `supervisor` as `{type:'Employee', attributes:{id:{label, value, ...}, ...}}`, cost centres with
 * a `percentage`.
 */
export const PersonioRelationSchema = z
  .object({
    type: z.string().optional(),
    attributes: z
      .object({ id: z.unknown().optional(), name: z.unknown().optional(), percentage: z.number().nullish() })
      .catchall(z.unknown()),
  })
  .passthrough();

/** Personio's error body (spec `ErrorResponse`): `{success:false, error:{code, message}}`. */
export const PersonioErrorBodySchema = z.object({
  success: z.literal(false),
  error: z.object({ code: z.unknown().optional(), message: z.string().optional() }).passthrough().optional(),
});

/**
 * https://developer.personio.de/reference/get_company-employees ; items stay `unknown` so one
 * malformed employee is rejected on its own instead of failing the page. Personio has been seen to
 * answer errors with HTTP 200 and `success: false`, hence the union.
 */
export const PersonioEmployeesResponseSchema = z.discriminatedUnion('success', [
  z
    .object({
      success: z.literal(true),
      metadata: z
        .object({ total_elements: z.int().min(0), current_page: z.int().min(0), total_pages: z.int().min(0) })
        .passthrough()
        .optional(),
      offset: z.coerce.number().optional(),
      limit: z.coerce.number().optional(),
      data: z.array(z.unknown()),
    })
    .passthrough(),
  PersonioErrorBodySchema,
]);

export type PersonioEmployeesResponse = z.infer<typeof PersonioEmployeesResponseSchema>;
