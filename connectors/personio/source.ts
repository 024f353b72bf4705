import { z } from 'zod';
import { RosterflowError } from '../../core/errors';
import type { Employee } from '../../core/employee';
import { cachedTokenAuth } from '../../io/auth';
import { decodeCursor, encodeCursor } from '../sdk/cursor';
import type { RowRejection, SourceConnector, SourceContext, SourceDeps } from '../sdk/source';
import type { PersonioConfig } from './config';
import { createPersonioMapper } from './mappers/to-employee';
import { PersonioAuthResponseSchema, PersonioEmployeesResponseSchema } from './types';

const VENDOR = 'Personio';
const EMPLOYEES_PATH = '/company/employees';

/** Where the next listing request starts: a record offset into Personio's id-ordered list. */
const OffsetCursorSchema = z.object({ offset: z.int().min(0) });

export function createPersonioSource(config: PersonioConfig, deps: SourceDeps): SourceConnector {
  const headers = {
    ...(config.partnerId ? { 'X-Personio-Partner-ID': config.partnerId } : {}),
    ...(config.appId ? { 'X-Personio-App-ID': config.appId } : {}),
  };
  const issuer = deps.http({ vendor: VENDOR, baseUrl: config.baseUrl, headers });

  // https://developer.personio.de/reference/auth
  // The token is stable for 24 h and reusable, so one is fetched per connector and kept until shortly
  // before `expires_in`. (Old single-use tokens are handled by the HTTP layer: a 401 drops the cached
  // token and the request is sent once more with a new one.) 60 requests/min, then a 60 s cool-down.
  const auth = cachedTokenAuth(async () => {
    const [clientId, clientSecret] = await Promise.all([
      typeof config.clientId === 'string' ? config.clientId : deps.resolveSecret(config.clientId, 'source.clientId'),
      deps.resolveSecret(config.clientSecret, 'source.clientSecret'),
    ]);
    try {
      const { data } = await issuer.postJson(
        '/auth',
        { client_id: clientId, client_secret: clientSecret },
        PersonioAuthResponseSchema,
      );
      return { token: data.token, expiresInSeconds: data.expires_in };
    } catch (err) {
      throw asRefusedCredentials(err);
    }
  });
  const api = deps.http({ vendor: VENDOR, baseUrl: config.baseUrl, headers, auth });
  // For messages, as the HTTP layer names endpoints: `GET /v1/company/employees`.
  const listingEndpoint = `GET ${new URL(config.baseUrl).pathname.replace(/\/+$/, '')}${EMPLOYEES_PATH}`;

  // https://developer.personio.de/reference/get_company-employees
  // `limit` <= 100 (50 when omitted), `offset` counts records; 300 requests/min with bursts of 15/s,
  // answered with 429 beyond that (the HTTP layer waits and retries).
  const fetchPage = async (offset: number, limit: number, ctx: SourceContext | undefined) => {
    const page = await api.getJson(EMPLOYEES_PATH, PersonioEmployeesResponseSchema, {
      searchParams: { limit, offset },
      ...(ctx?.signal ? { signal: ctx.signal } : {}),
    });
    if (!page.success) {
      const said = page.error?.message ? `: ${page.error.message}` : '';
      throw new RosterflowError('SourceUnavailable', `${VENDOR}: ${listingEndpoint} answered success=false${said}`);
    }
    return page;
  };

  return {
    type: 'personio',
    async check(ctx) {
      await fetchPage(0, 1, ctx);
    },
    async *listEmployees(ctx, resumeFrom) {
      let offset = resumeFrom === undefined ? 0 : decodeCursor(OffsetCursorSchema, resumeFrom, VENDOR).offset;
      const limit = config.pageSize;
      const map = createPersonioMapper(config);
      for (;;) {
        const page = await fetchPage(offset, limit, ctx);
        const total = page.metadata?.total_elements;
        assertRecordOffsets(listingEndpoint, page.metadata?.current_page, offset, limit);
        if (page.data.length === 0) {
          if (total !== undefined && offset < total)
            throw offsetMismatch(listingEndpoint, `no employees at offset ${offset} of ${total}`);
          return;
        }
        const records: Employee[] = [];
        const rejected: RowRejection[] = [];
        page.data.forEach((item, index) => {
          const mapped = map(item, offset + index + 1);
          if (mapped.ok) records.push(mapped.employee);
          else rejected.push(...mapped.rejections);
        });
        offset += page.data.length;
        yield { records, rejected, cursor: encodeCursor({ offset }), ...(total === undefined ? {} : { total }) };
        // Without metadata (older API versions), a short page is the last one.
        if (total === undefined ? page.data.length < limit : offset >= total) return;
      }
    },
  };
}

/**
 * The connector pages by record offset. Some v1 endpoints have been reported to read `offset` as
 * a page index; that would silently skip employees, so a page numbered otherwise than
 * `offset / limit` stops the listing.
 */
function assertRecordOffsets(endpoint: string, currentPage: number | undefined, offset: number, limit: number): void {
  if (currentPage === undefined || offset % limit !== 0 || currentPage === offset / limit) return;
  throw offsetMismatch(endpoint, `page ${currentPage} for offset ${offset} with limit ${limit}`);
}

function offsetMismatch(endpoint: string, what: string): RosterflowError {
  return new RosterflowError(
    'SourceInvalidResponse',
    `${VENDOR}: ${endpoint} returned ${what}; it does not seem to treat offset as a record offset`,
    { retryable: false },
  );
}

/**
 * Personio does not document the status of a wrong client id or secret on /v1/auth (a 403 with
 * `Wrong credentials` is reported; 401 and 400 are plausible): any of them is a refused
 * credential, never worth retrying.
 */
function asRefusedCredentials(err: unknown): unknown {
  if (!(err instanceof RosterflowError)) return err;
  if (err.type !== 'SourceAuthFailed' && err.type !== 'SourceRequestRejected') return err;
  return new RosterflowError(
    'SourceAuthFailed',
    err.message.replace(
      / (?:rejected the credentials|denied access \(check the API user's permissions\)|was rejected) \(HTTP/,
      ' refused the client credentials (HTTP',
    ),
  );
}
