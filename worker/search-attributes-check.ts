import { temporal } from '@temporalio/proto';
import { RosterflowError } from '../core/errors';
import { searchAttributeArgs } from '../workflows/search-attributes';

type OperatorService = temporal.api.operatorservice.v1.OperatorService;
const { IndexedValueType } = temporal.api.enums.v1;
/** gRPC status codes (the same in every gRPC library). */
const PERMISSION_DENIED = 7;
const UNIMPLEMENTED = 12;
const TYPES = { Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL };

/**
 * Makes sure a namespace has rosterflow's search attributes before any run needs them: each run
 * upserts them, and one the namespace does not know fails the run's workflow task over and over
 * (the run would hang, not fail). Registers the missing ones (a self-hosted server, the local dev
 * server started on an older database); where that is refused (Temporal Cloud, no operator rights)
 * it throws one sentence with the command to run. A server that will not even list them (no
 * operator API) is let through: its runs then show the error in the Web UI.
 */
export async function ensureSearchAttributes(
  connection: { operatorService: OperatorService },
  namespace: string,
  log: (line: string) => void = () => undefined,
): Promise<void> {
  let registered: Record<string, temporal.api.enums.v1.IndexedValueType>;
  try {
    registered = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch (err) {
    if (grpcCode(err) === PERMISSION_DENIED || grpcCode(err) === UNIMPLEMENTED) return;
    throw err;
  }
  const wanted = searchAttributeArgs();
  const wrong = wanted.filter(({ name, type }) => name in registered && registered[name] !== TYPES[type]);
  if (wrong.length > 0) {
    throw new RosterflowError(
      'InvalidConfig',
      `Temporal namespace "${namespace}" has ${wrong.map(({ name, type }) => `${name} registered with another type than ${type}`).join(', ')}; remove and create ${wrong.length === 1 ? 'it' : 'them'} again with the type given in docs/operations.md`,
    );
  }
  const missing = wanted.filter(({ name }) => !(name in registered));
  if (missing.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map(({ name, type }) => [name, TYPES[type]])),
    });
    log(`registered the search attributes ${missing.map(({ name }) => name).join(', ')} in namespace "${namespace}"`);
  } catch {
    const flags = missing.map(({ name, type }) => `--name ${name} --type ${type}`).join(' ');
    throw new RosterflowError(
      'InvalidConfig',
      `Temporal namespace "${namespace}" lacks rosterflow's search attributes ${missing.map(({ name }) => name).join(', ')} and did not let this worker add them; register them once with \`temporal operator search-attribute create --namespace ${namespace} ${flags}\` (docs/operations.md)`,
    );
  }
}

function grpcCode(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'number'
    ? err.code
    : undefined;
}
