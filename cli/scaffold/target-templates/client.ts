import type { ScaffoldNames } from '../names';

/** targets/<name>/client.ts: the vendor's API, one function per endpoint, on the shared HTTP client. */
export function targetClientTemplate(n: ScaffoldNames): string {
  return `import { RosterflowError } from '../../core/errors';
import { bearerAuth } from '../../io/auth';
import { createHttpClient } from '../../io/http';
import type { HttpClient } from '../../io/http';
import type { SecretResolver } from '../../io/secrets';
import { StreamedForm } from '../../io/streamed-form';
import type { StreamSource } from '../../io/streamed-form';
import type { ${n.pascal}TargetConfig } from './config';

/** Starts every error message. TODO: the vendor's name as operators know it. */
export const ${n.constant}_VENDOR = '${n.vendor}';
const IMPORT_PATH = '/users/import';

export type ${n.pascal}UploadResult =
  | { kind: 'uploaded' }
  /** Nothing was applied: wait \`retryAfterMs\` (the answer's Retry-After) or, when it named none, a default. */
  | { kind: 'rateLimited'; retryAfterMs: number | undefined };

export interface ${n.pascal}Upload {
  /** The rendered file, streamed from the store (reopened if sent again), never read whole. */
  csv: StreamSource;
  fileName: string;
  /** The same on every attempt of one delivery, so the vendor applies it once. */
  idempotencyKey: string;
  /** The activity's cancellation. */
  signal?: AbortSignal;
}

/**
 * The HTTP client for one account, with its bearer token. Uploads are never repeated in-process: the
 * step protocol owns retries and waits (targets/sdk/step-delivery.ts).
 */
export async function create${n.pascal}HttpClient(
  config: ${n.pascal}TargetConfig,
  resolveSecret: SecretResolver,
): Promise<HttpClient> {
  const token = await resolveSecret(config.apiToken, 'target.apiToken');
  return createHttpClient({
    vendor: ${n.constant}_VENDOR,
    baseUrl: config.baseUrl,
    auth: bearerAuth(token),
    side: 'target',
    retryMethods: ['GET'],
  });
}

/** Where deliveries land, for the run record: the import endpoint, never credentials. */
export function ${n.camel}Location(config: Pick<${n.pascal}TargetConfig, 'baseUrl'>): string {
  return \`\${config.baseUrl.replace(/\\/+$/, '')}\${IMPORT_PATH}\`;
}

/**
 * One multipart POST of the file. A 429 is reported, not thrown, so the workflow waits on a durable
 * timer; every other failure throws the classified RosterflowError (401/403 for good, 5xx and network
 * errors retried by the step). TODO: the vendor's answer, when it says more than "accepted".
 */
export async function uploadUsers(client: HttpClient, upload: ${n.pascal}Upload): Promise<${n.pascal}UploadResult> {
  const form = new StreamedForm();
  form.appendFile('file', upload.fileName, upload.csv);
  try {
    // TODO: replace with the vendor's doc link for this endpoint:
    // https://developers.${n.kebab}.example.com/reference/import-users
    await client.request('POST', IMPORT_PATH, {
      multipart: form,
      // TODO: the vendor's idempotency header. Without one, keep what a retry must know in a
      // checkpoint instead, as targets/allstacks/activities.ts does.
      headers: { 'idempotency-key': upload.idempotencyKey },
      ...(upload.signal ? { signal: upload.signal } : {}),
    });
  } catch (err) {
    if (err instanceof RosterflowError && err.type === 'RateLimited' && err.httpStatus === 429) {
      return { kind: 'rateLimited', retryAfterMs: err.retryAfterMs };
    }
    throw err;
  }
  return { kind: 'uploaded' };
}
`;
}
