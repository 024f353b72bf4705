import { isGrpcServiceError } from '@temporalio/client';
import { MongoNetworkError, MongoServerSelectionError } from 'mongodb';
import { RosterflowError } from '../core/errors';
import { StackError } from '../tools/stack/errors';

/** gRPC's UNAVAILABLE: nothing answers at the address, or the connection broke. */
const GRPC_UNAVAILABLE = 14;

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
