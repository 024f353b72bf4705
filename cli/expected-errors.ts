import { isGrpcServiceError } from '@temporalio/client';
import { MongoNetworkError, MongoServerSelectionError } from 'mongodb';
import { RosterflowError } from '../core/errors';
import { StackError } from '../tools/stack/errors';

/** gRPC's UNAVAILABLE: nothing answers at the address, or the connection broke. */
const GRPC_UNAVAILABLE = 14;
const GRPC_NOT_FOUND = 5;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_UNAUTHENTICATED = 16;

const HOW_TO_START = 'start the local stack (`npm run stack`, or `npm run demo`)';

/**
 * The one sentence an operator needs for an error that is not a bug: our own errors, a store or
 * Temporal server that does not answer. Undefined for anything else, which is printed with its
 * stack for a bug report.
 */
export function describeExpectedError(err: unknown, temporalAddress?: string): string | undefined {
  if (err instanceof RosterflowError || err instanceof StackError) return err.message;
  if (err instanceof MongoServerSelectionError || err instanceof MongoNetworkError) {
    // Host and port only: a URI can carry a password.
    const hosts = err instanceof MongoServerSelectionError ? [...(err.reason?.servers.keys() ?? [])] : [];
    const where = hosts.length > 0 ? ` at ${hosts.join(', ')}` : '';
    return `the run store${where} does not answer (${err.message}); ${HOW_TO_START} or set MONGODB_URI`;
  }
  const temporalReason = temporalUnreachable(err);
  if (temporalReason !== undefined) {
    const where = temporalAddress === undefined ? '' : ` at ${temporalAddress}`;
    return `Temporal${where} does not answer (${temporalReason}); ${HOW_TO_START} or set TEMPORAL_ADDRESS`;
  }
  return temporalRefused(err);
}

/** A Temporal server that answered no: an unknown namespace, or credentials it does not accept. */
function temporalRefused(err: unknown): string | undefined {
  const grpc = isGrpcServiceError(err)
    ? err
    : err instanceof Error && isGrpcServiceError(err.cause)
      ? err.cause
      : undefined;
  if (!grpc) return undefined;
  const code = Number(grpc.code);
  const why = grpc.details || grpc.message;
  if (code === GRPC_NOT_FOUND && /namespace/i.test(why)) {
    return `Temporal has no such namespace (${why}); set TEMPORAL_NAMESPACE to one that exists`;
  }
  if (code === GRPC_PERMISSION_DENIED || code === GRPC_UNAUTHENTICATED) {
    return `Temporal refused the request (${why}); check TEMPORAL_API_KEY or the client certificate and the namespace's permissions`;
  }
  return undefined;
}

/** Why a Temporal connection failed, when it failed because the server cannot be reached. */
function temporalUnreachable(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const refused = /ECONNREFUSED|ConnectionRefused|Connection refused/.test(err.message);
  // The client's Connection.connect (grpc-js) and the worker's NativeConnection (the Rust core).
  if (err.message === 'Failed to connect before the deadline') return 'no answer before the connect timeout';
  if (err.name === 'TransportError') return refused ? 'connection refused' : 'cannot connect';
  const grpc = isGrpcServiceError(err) ? err : isGrpcServiceError(err.cause) ? err.cause : undefined;
  if (Number(grpc?.code) === GRPC_UNAVAILABLE) return refused ? 'connection refused' : 'unavailable';
  return undefined;
}
