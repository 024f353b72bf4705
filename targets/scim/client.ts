import { z } from 'zod';
import { RosterflowError } from '../../core/errors';
import { createHttpClient } from '../../io/http';
import type { HttpClient } from '../../io/http';
import { bearerAuth } from '../../io/auth';
import { clientCredentialsAuth } from '../../io/oauth2';
import type { SecretResolver } from '../../io/secrets';
import type { ScimUser } from './attributes';
import type { PatchOperation } from './attributes';
import { requestTimeoutMs } from './config';
import type { ScimTargetConfig } from './config';

const SCIM_JSON = { 'content-type': 'application/scim+json', accept: 'application/scim+json, application/json' };
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** Asked per page; servers cap it (scim2-server at 1000, many apps at 100) and say how many they gave. */
const PAGE_SIZE = 1000;

const UserSchema = z.looseObject({ id: z.string().min(1), externalId: z.string().optional() });
const ListResponseSchema = z.looseObject({
  totalResults: z.number().int().min(0),
  Resources: z.array(UserSchema).optional(),
});

/**
 * The SCIM error body (RFC 7644 section 3.12): its `scimType` is recorded and shown. Its `detail` is
 * never read: it may quote the refused value (a name, an address), and messages reach history.
 */
function scimType(body: unknown): string | undefined {
  const type = (body as { scimType?: unknown } | null)?.scimType;
  return typeof type === 'string' ? type : undefined;
}

/** RFC 7644 section 3.4.2.2: a filter's string value is a JSON string. */
export function externalIdFilter(externalId: string): string {
  return `externalId eq ${JSON.stringify(externalId)}`;
}

/** The app's HTTP client, with its bearer token or an OAuth2 client-credentials token (RFC 6749 section 4.4). */
export async function createScimHttpClient(
  config: ScimTargetConfig,
  resolveSecret: SecretResolver,
): Promise<HttpClient> {
  const { auth } = config;
  const httpAuth =
    'bearerToken' in auth
      ? bearerAuth(await resolveSecret(auth.bearerToken, 'target.auth.bearerToken'))
      : clientCredentialsAuth({
          vendor: 'SCIM token endpoint',
          tokenUrl: auth.oauth2.tokenUrl,
          clientId: auth.oauth2.clientId,
          clientSecret: await resolveSecret(auth.oauth2.clientSecret, 'target.auth.oauth2.clientSecret'),
          scope: auth.oauth2.scope,
          // A refused client is the target's failure, not the source's.
          http: (options) => createHttpClient({ ...options, side: 'target' }),
        });
  return createHttpClient({
    vendor: 'SCIM',
    baseUrl: config.baseUrl,
    auth: httpAuth,
    headers: SCIM_JSON,
    timeoutMs: requestTimeoutMs(config),
    // Only reads are repeated in-process: a repeated POST could create a second user. A write that
    // fails is retried by the delivery, which first looks whether it landed.
    retryMethods: ['GET'],
    side: 'target',
    errorMessage: (body) => scimType(body),
    errorCode: scimType,
  });
}

/**
 * Every user the app holds, with only the attributes compared (RFC 7644 section 3.4.2.4: pages by
 * 1-based startIndex; section 3.4.2.5: `attributes`). A listing that ends short of the total the app
 * reports (a server ignoring startIndex, pages shifting) is refused: planning from part of the app
 * would create people who exist and lose track of people who left.
 */
export async function listAllUsers(
  client: HttpClient,
  attributes: readonly string[],
  onPage: (listed: number) => void,
): Promise<ScimUser[]> {
  const users = new Map<string, ScimUser>();
  let startIndex = 1;
  let total = 0;
  for (;;) {
    // https://datatracker.ietf.org/doc/html/rfc7644#section-3.4.2.4
    const page = await client.getJson('/Users', ListResponseSchema, {
      searchParams: { startIndex, count: PAGE_SIZE, attributes: attributes.join(',') },
    });
    const resources = (page.Resources ?? []) as ScimUser[];
    for (const user of resources) users.set(user.id, user);
    total = page.totalResults;
    onPage(users.size);
    startIndex += resources.length;
    if (resources.length === 0 || startIndex > total) break;
  }
  if (users.size < total) {
    throw new RosterflowError(
      'TargetInvalidResponse',
      `SCIM: GET /Users listed ${users.size} distinct users of the ${total} the app reports; nothing was planned from a partial listing`,
    );
  }
  return [...users.values()];
}

/** The users carrying an externalId (more than one is the app's inconsistency, reported as such). */
export async function findByExternalId(client: HttpClient, externalId: string): Promise<ScimUser[]> {
  // https://datatracker.ietf.org/doc/html/rfc7644#section-3.4.2.2
  const page = await client.getJson('/Users', ListResponseSchema, {
    searchParams: { filter: externalIdFilter(externalId) },
  });
  return (page.Resources ?? []) as ScimUser[];
}

/** Creates a user; answers its id. */
export async function createUser(client: HttpClient, user: Record<string, unknown>): Promise<string> {
  // https://datatracker.ietf.org/doc/html/rfc7644#section-3.3
  const response = await client.request('POST', '/Users', { json: user });
  return client.parse(response, UserSchema, 'POST /Users').id;
}

export async function patchUser(client: HttpClient, id: string, operations: readonly PatchOperation[]): Promise<void> {
  // https://datatracker.ietf.org/doc/html/rfc7644#section-3.5.2
  await client.request('PATCH', `/Users/${encodeURIComponent(id)}`, {
    json: { schemas: [PATCH_OP], Operations: operations },
  });
}

export async function deleteUser(client: HttpClient, id: string): Promise<void> {
  // https://datatracker.ietf.org/doc/html/rfc7644#section-3.6
  await client.request('DELETE', `/Users/${encodeURIComponent(id)}`);
}
