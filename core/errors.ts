/**
 * The error vocabulary shared by every layer. Activities turn these into Temporal
 * `ApplicationFailure`s with the same `type`, so workflows and run records can tell them apart.
 * Messages name the setting, row or field; they never carry employee data or secret values.
 */
export type RosterflowErrorType =
  | 'InvalidConfig'
  | 'InvalidInput'
  | 'UnknownSync'
  | 'SecretUnavailable'
  | 'SourceAuthFailed'
  | 'SourceRequestRejected'
  | 'SourceInvalidResponse'
  | 'SourceUnavailable'
  | 'TargetAuthFailed'
  | 'TargetRequestRejected'
  | 'TargetInvalidResponse'
  | 'TargetUnavailable'
  | 'RateLimited'
  | 'SourceEmpty'
  | 'NothingToDeliver'
  | 'RowsRejected'
  | 'DeliveryFailed'
  | 'ImportStateUnexpected'
  | 'SafetyRuleTripped'
  /** The run store failed or changed under a step; retried. */
  | 'StoreUnavailable';

/** Errors that retrying cannot fix: a bad config, bad input, a rejected file. */
export const PERMANENT_ERROR_TYPES: readonly RosterflowErrorType[] = [
  'InvalidConfig',
  'InvalidInput',
  'UnknownSync',
  'SecretUnavailable',
  'SourceAuthFailed',
  'SourceRequestRejected',
  'TargetAuthFailed',
  'TargetRequestRejected',
  'SourceEmpty',
  'NothingToDeliver',
  'RowsRejected',
  'ImportStateUnexpected',
  'SafetyRuleTripped',
];
const PERMANENT: ReadonlySet<RosterflowErrorType> = new Set(PERMANENT_ERROR_TYPES);

export class RosterflowError extends Error {
  readonly type: RosterflowErrorType;
  readonly retryable: boolean;
  /** For `RateLimited`: how long the remote side asked us to wait before trying again. */
  readonly retryAfterMs: number | undefined;
  /** The HTTP status of the response this error reports, when it reports one. */
  readonly httpStatus: number | undefined;
  /** The vendor's own error code from the response (SCIM's `scimType`), when it gives one. */
  readonly vendorCode: string | undefined;

  constructor(
    type: RosterflowErrorType,
    message: string,
    options?: { retryable?: boolean; cause?: unknown; retryAfterMs?: number; httpStatus?: number; vendorCode?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RosterflowError';
    this.type = type;
    this.retryable = options?.retryable ?? !PERMANENT.has(type);
    this.retryAfterMs = options?.retryAfterMs;
    this.httpStatus = options?.httpStatus;
    this.vendorCode = options?.vendorCode;
  }
}

/** Which end of a sync an error comes from: the HR system read, or the SaaS tool written to. */
export type Side = 'source' | 'target';
export type RemoteErrorKind = 'AuthFailed' | 'RequestRejected' | 'InvalidResponse' | 'Unavailable';

/** `SourceAuthFailed` or `TargetAuthFailed`, and so on: a run record tells which end failed. */
export function remoteErrorType(side: Side, kind: RemoteErrorKind): RosterflowErrorType {
  return `${side === 'source' ? 'Source' : 'Target'}${kind}`;
}
