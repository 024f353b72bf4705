import { z } from 'zod';
import { RosterflowError } from '../../core/errors';
import type { Employee } from '../../core/employee';
import { decodeCursor, encodeCursor } from '../sdk/cursor';
import type { HttpClient } from '../../io/http';
import { clientCredentialsAuth } from '../../io/oauth2';
import type { RowRejection, SourceConnector, SourceContext, SourceDeps } from '../sdk/source';
import type { MsgraphConfig } from './config';
import { createMsgraphMapper } from './mappers/to-employee';
import { MsgraphErrorSchema, MsgraphUsersPageSchema } from './types';

const VENDOR = 'Microsoft Graph';
const TOKEN_ISSUER = 'Microsoft Entra ID';
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/** The user properties a roster needs; Graph returns only what is `$select`ed (employeeOrgData never by default). */
const ROSTER_PROPERTIES = [
  'id',
  'employeeId',
  'givenName',
  'surname',
  'displayName',
  'mail',
  'userPrincipalName',
  'accountEnabled',
  'department',
  'jobTitle',
  'officeLocation',
  'companyName',
  'employeeType',
  'employeeHireDate',
  'employeeLeaveDateTime',
  'employeeOrgData',
];

type Mode = MsgraphConfig['mode'];

/** The listing path each mode may follow, relative to /v1.0 (SDKs spell delta `microsoft.graph.delta()`). */
const LISTING_PATHS: Record<Mode, RegExp> = {
  users: /^users$/,
  delta: /^users\/(?:delta|microsoft\.graph\.delta(?:\(\))?)$/,
};

/**
 * Where a listing continues: the last `@odata.nextLink` without its host, so a resumed listing
 * sends the token only to the configured Graph host. Absent `next`: the listing is complete.
 */
const MsgraphCursorSchema = z
  .object({
    mode: z.enum(['users', 'delta']),
    next: z
      .object({ path: z.string().min(1), query: z.string() })
      .strict()
      .optional(),
  })
  .strict();
type NextPage = NonNullable<z.infer<typeof MsgraphCursorSchema>['next']>;

export interface MsgraphSourceOptions {
  /** The moment status rules compare hire and leave dates against; tests fix it. */
  now?: () => Date;
}

export function createMsgraphSource(
  config: MsgraphConfig,
  deps: SourceDeps,
  options: MsgraphSourceOptions = {},
): SourceConnector {
  const now = options.now ?? (() => new Date());
  // One client per connector, so check() and every page of a listing share one cached token.
  let client: Promise<HttpClient> | undefined;
  const graph = (): Promise<HttpClient> =>
    (client ??= connect(config, deps).catch((err: unknown) => {
      client = undefined;
      throw err;
    }));

  const get = async (page: NextPage, ctx: SourceContext | undefined, headers: Record<string, string> = {}) =>
    (await graph()).getJson(`/${page.path}`, MsgraphUsersPageSchema, {
      searchParams: new URLSearchParams(page.query),
      headers,
      ...(ctx?.signal ? { signal: ctx.signal } : {}),
    });

  return {
    type: 'msgraph',
    async check(ctx) {
      // https://learn.microsoft.com/en-us/graph/api/user-list (one id proves the token and User.Read.All)
      await get({ path: 'users', query: new URLSearchParams({ $select: 'id', $top: '1' }).toString() }, ctx);
    },
    async *listEmployees(ctx, resumeFrom) {
      const mode = config.mode;
      let next: NextPage | undefined = firstPage(config);
      if (resumeFrom !== undefined) {
        const cursor = decodeCursor(MsgraphCursorSchema, resumeFrom, VENDOR);
        if (cursor.mode !== mode || (cursor.next && !LISTING_PATHS[mode].test(cursor.next.path))) {
          throw new RosterflowError('InvalidInput', `${VENDOR}: the resume cursor is not one of a ${mode} listing`);
        }
        next = cursor.next;
      }
      // Delta mode reads one full round: every current user plus those removed. Keeping the final
      // @odata.deltaLink to fetch only changes next time is out of scope, so each run starts a new round.
      // Page size in delta mode is a preference header ($top is not supported there).
      const headers: Record<string, string> =
        mode === 'delta' ? { prefer: `odata.maxpagesize=${config.pageSize}` } : {};
      const map = createMsgraphMapper(config, now());

      while (next) {
        // https://learn.microsoft.com/en-us/graph/api/user-list (mode users)
        // https://learn.microsoft.com/en-us/graph/api/user-delta (mode delta)
        // Paging follows @odata.nextLink as given: https://learn.microsoft.com/en-us/graph/paging
        const page = await get(next, ctx, headers);
        const nextLink = page['@odata.nextLink'];
        if (mode === 'delta' && nextLink === undefined && page['@odata.deltaLink'] === undefined) {
          throw new RosterflowError(
            'SourceInvalidResponse',
            `${VENDOR}: a users/delta page had neither @odata.nextLink nor @odata.deltaLink`,
          );
        }
        next = nextLink === undefined ? undefined : nextPageOf(nextLink, mode);
        const records: Employee[] = [];
        const rejected: RowRejection[] = [];
        for (const item of page.value) {
          const mapped = map(item);
          if (mapped.ok) records.push(mapped.employee);
          else rejected.push(...mapped.rejections);
        }
        // Graph can answer an empty page before the end; it carries nothing worth a checkpoint.
        if (records.length > 0 || rejected.length > 0) {
          yield { records, rejected, cursor: encodeCursor({ mode, ...(next ? { next } : {}) }) };
        }
      }
    },
  };
}

async function connect(config: MsgraphConfig, deps: SourceDeps): Promise<HttpClient> {
  const clientSecret = await deps.resolveSecret(config.clientSecret, 'source.clientSecret');
  return deps.http({
    vendor: VENDOR,
    baseUrl: `${withoutTrailingSlash(config.graphBaseUrl)}/v1.0`,
    // https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow#get-a-token
    auth: clientCredentialsAuth({
      vendor: TOKEN_ISSUER,
      tokenUrl: `${withoutTrailingSlash(config.authorityHost)}/${encodeURIComponent(config.tenantId)}/oauth2/v2.0/token`,
      clientId: config.clientId,
      clientSecret,
      scope: GRAPH_SCOPE,
      http: deps.http,
    }),
    errorMessage: graphErrorMessage,
  });
}

/** The first request of a listing; later ones follow @odata.nextLink, which carries these parameters. */
function firstPage(config: MsgraphConfig): NextPage {
  const custom = Object.values(config.customFields).map((path) => path.split('.')[0] as string);
  const properties = [...new Set([...ROSTER_PROPERTIES, ...custom])];
  if (config.mode === 'delta') {
    // Delta lists the manager as `manager@delta` (its id) when `manager` is selected.
    return {
      path: 'users/delta',
      query: new URLSearchParams({ $select: [...properties, 'manager'].join(',') }).toString(),
    };
  }
  return {
    path: 'users',
    query: new URLSearchParams({
      $select: properties.join(','),
      $top: String(config.pageSize),
      // One expand per page instead of one /users/{id}/manager call per user.
      $expand: 'manager($select=id,mail)',
    }).toString(),
  };
}

/** A nextLink's path under /v1.0 and its query, checked to be the same listing. */
function nextPageOf(link: string, mode: Mode): NextPage {
  let url: URL | undefined;
  try {
    url = new URL(link);
  } catch {
    url = undefined;
  }
  const at = url?.pathname.indexOf('/v1.0/') ?? -1;
  const path = url && at >= 0 ? url.pathname.slice(at + '/v1.0/'.length) : '';
  if (!url || !LISTING_PATHS[mode].test(path)) {
    throw new RosterflowError('SourceInvalidResponse', `${VENDOR}: an @odata.nextLink left the ${mode} listing`);
  }
  return { path, query: url.search.replace(/^\?/, '') };
}

/** Graph errors read `{error: {code, message, innerError}}`; the code names the cause precisely. */
function graphErrorMessage(body: unknown): string | undefined {
  const parsed = MsgraphErrorSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const { code, message } = parsed.data.error;
  return code && message ? `${code}: ${message}` : (message ?? code);
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
