import { basicAuth } from '../../io/auth';
import { createHttpClient } from '../../io/http';
import type { HttpClient, HttpClientOptions, HttpResponse } from '../../io/http';
import type { SecretResolver } from '../../io/secrets';
import { StreamedForm } from '../../io/streamed-form';
import type { StreamSource } from '../../io/streamed-form';
import { RosterflowError } from '../../core/errors';
import type { AllstacksFlags, AllstacksTargetConfig } from './config';

const VENDOR = 'Allstacks';

/** The vendor allows one upload per organisation per 5 minutes; more is answered with HTTP 429. */
export const ALLSTACKS_UPLOAD_WINDOW_MS = 5 * 60 * 1000;

/**
 * The response body is undocumented [?], so only the status is reported. Processing is asynchronous:
 * the outcome (done, or a formatting error) reaches the tenant's admins by email, not through the API.
 */
export type AllstacksUploadResult =
  | { kind: 'uploaded'; status: number }
  /** Nothing was applied; wait `retryAfterMs`, or the whole window when the answer named no wait. */
  | { kind: 'rateLimited'; retryAfterMs: number | undefined };

export interface AllstacksUpload {
  /** The roster file, streamed (reopened if the request is sent again), never read whole. */
  csv: StreamSource;
  fileName: string;
  /** The activity's cancellation. */
  signal?: AbortSignal;
}

export interface AllstacksClientOptions {
  /** Per request; the whole file is sent in it. */
  timeoutMs?: number;
}

/**
 * The HTTP client for one tenant, authenticated with Basic `username:password`. POST is never retried
 * in-process: a repeat inside the window would only earn a 429, and the workflow owns the waiting.
 */
export async function createAllstacksHttpClient(
  config: AllstacksTargetConfig,
  resolveSecret: SecretResolver,
  options: AllstacksClientOptions = {},
): Promise<HttpClient> {
  const password = await resolveSecret(config.password, 'target.password');
  return createHttpClient({
    vendor: VENDOR,
    baseUrl: config.baseUrl,
    auth: basicAuth(config.username, password),
    side: 'target',
    retryMethods: ['GET'],
    // Uploads are processed after the response, so the answer is quick; a slow link still gets time.
    timeoutMs: options.timeoutMs ?? 120_000,
    errorMessage: allstacksErrorMessage,
  });
}

/** Where deliveries land, for the run record: the organisation's API, never credentials. */
export function allstacksLocation(config: Pick<AllstacksTargetConfig, 'baseUrl' | 'organizationId'>): string {
  return `${config.baseUrl}/api/v1/organization/${config.organizationId}`;
}

/** The upload path; the org id is the one in the contributor-management page's URL. */
export function allstacksUploadPath(config: Pick<AllstacksTargetConfig, 'organizationId'>): string {
  return `/api/v1/organization/${encodeURIComponent(config.organizationId)}/service_user_tag_hierarchy/upload_employee_tags`;
}

/**
 * Uploads are serialised per organisation across all syncs (one in flight, one per window): this is
 * the key to lock on. The tenant host is part of it because org ids are only unique per tenant.
 */
export function allstacksUploadLockKey(config: Pick<AllstacksTargetConfig, 'baseUrl' | 'organizationId'>): string {
  return `allstacks:${new URL(config.baseUrl).host}:${config.organizationId}`;
}

/** How long the workflow's durable timer waits after a 429: the server's `Retry-After`, else the window. */
export function allstacksRateLimitWaitMs(result: { retryAfterMs: number | undefined }): number {
  return result.retryAfterMs ?? ALLSTACKS_UPLOAD_WINDOW_MS;
}

/**
 * ONE multipart POST of the roster file with all five flags. Reports a 429 instead of throwing, so the
 * workflow can wait on a durable timer; every other failure throws the classified RosterflowError
 * (401/403 non-retryable with the vendor's words, 5xx and network errors retryable). Applying the
 * same file twice should leave Allstacks in the same state [I: the docs describe a sync, not a
 * log], so an activity retry after an ambiguous failure (a timeout after the file was sent) costs a
 * second email at most; the workflow should still record the receipt before moving on.
 */
export async function uploadRoster(
  client: HttpClient,
  config: AllstacksTargetConfig,
  upload: AllstacksUpload,
): Promise<AllstacksUploadResult> {
  const form = new StreamedForm();
  form.appendFile('file', upload.fileName, upload.csv);
  for (const [name, value] of flagFields(config.flags)) form.append(name, value);

  const path = allstacksUploadPath(config);
  // https://allstacks.atlassian.net/wiki/spaces/APG/pages/3156606977/Team+Management+CSV+Upload
  let response: HttpResponse;
  try {
    response = await client.request('POST', path, {
      multipart: form,
      ...(upload.signal ? { signal: upload.signal } : {}),
    });
  } catch (err) {
    if (err instanceof RosterflowError && err.type === 'RateLimited' && err.httpStatus === 429) {
      return { kind: 'rateLimited', retryAfterMs: err.retryAfterMs };
    }
    throw err;
  }
  // A wrong baseUrl or an SSO proxy redirects to a sign-in page that answers 200; that is no upload.
  const contentType = String(response.headers['content-type'] ?? '');
  if (contentType.includes('text/html')) {
    throw new RosterflowError(
      'TargetInvalidResponse',
      `${VENDOR}: POST ${path} answered with an HTML page, not the API (HTTP ${response.status}); check target.baseUrl`,
      { retryable: false, httpStatus: response.status },
    );
  }
  return { kind: 'uploaded', status: response.status };
}

/** The form fields, named as the vendor's curl example names them, always all five. */
export function flagFields(flags: AllstacksFlags): [string, 'true' | 'false'][] {
  const fields: [string, boolean][] = [
    ['reconcile_tags', flags.reconcileTags],
    ['enable_users', flags.enableUsers],
    ['disable_users', flags.disableUsers],
    ['delete_tag_categories', flags.deleteTagCategories],
    ['delete_tags', flags.deleteTags],
  ];
  return fields.map(([name, value]) => [name, value ? 'true' : 'false']);
}

/**
 * Error bodies are undocumented [?]. The path style suggests Django REST framework, which answers
 * `{"detail": "..."}` and, for a bad form field, `{"file": ["No file was submitted."]}`.
 */
const allstacksErrorMessage: NonNullable<HttpClientOptions['errorMessage']> = (body) => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  if (typeof record['detail'] === 'string') return record['detail'];
  for (const [field, value] of Object.entries(record)) {
    const first: unknown = Array.isArray(value) ? value[0] : undefined;
    if (typeof first === 'string') return `${field}: ${first}`;
  }
  return undefined;
};
