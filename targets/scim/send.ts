import { RosterflowError } from '../../core/errors';
import type { HttpClient } from '../../io/http';
import type { DeliveryItem, DeliveryItemResult } from '../../store/delivery-items';
import {
  ENTERPRISE_USER_SCHEMA,
  MANAGER,
  WORK_EMAIL,
  WORK_PHONE,
  patchOperation,
  readAttribute,
  sameValue,
} from './attributes';
import type { PatchOperation, ScimAttribute, ScimUser } from './attributes';
import { createUser, deleteUser, findByExternalId, patchUser } from './client';
import type { ScimPayload } from './plan';

/** Account ids by HR id: those the app had, and those created so far in this run. */
export type AccountIds = Map<string, string>;

/**
 * Sends one person's write and says what became of it. A refusal of this person (a 4xx other than
 * auth and rate limits) is their outcome, and the run goes on; anything that may heal (a rate limit,
 * an outage, a cut connection) is thrown, and the item stays `sending` for the retry to check.
 */
export async function sendItem(client: HttpClient, item: DeliveryItem, ids: AccountIds): Promise<DeliveryItemResult> {
  try {
    return await send(client, item, ids);
  } catch (err) {
    const refused = refusalOf(err, item);
    if (refused) return refused;
    throw err;
  }
}

/**
 * For an item a crashed attempt may have sent: looks at the app first and settles it without a
 * second write when the write landed; otherwise sends it.
 */
export async function resumeItem(client: HttpClient, item: DeliveryItem, ids: AccountIds): Promise<DeliveryItemResult> {
  try {
    // Only users really carrying the HR id: a server that ignores the filter must not settle this person on someone else.
    const found = (await findByExternalId(client, item.key)).filter((user) => user.externalId === item.key);
    if (found.length > 1) {
      return failed(item, {
        message: `the app has ${found.length} users with this externalId, so none of them was changed`,
      });
    }
    const account = found[0];
    const landed = account !== undefined && hasLanded(item, account, ids);
    if (landed) return settledAs(item, account.id);
    if (item.action === 'delete' && account === undefined) return settledAs(item, item.remoteId);
    return await send(client, item, ids);
  } catch (err) {
    const refused = refusalOf(err, item);
    if (refused) return refused;
    throw err;
  }
}

async function send(client: HttpClient, item: DeliveryItem, ids: AccountIds): Promise<DeliveryItemResult> {
  const payload = item.payload as ScimPayload | undefined;
  switch (item.action) {
    case 'create': {
      if (!payload || !('resource' in payload)) throw corrupt(item);
      const resource = withManager(payload.resource, payload.managerKey, ids);
      const id = await createUser(client, resource);
      return { seq: item.seq, state: 'done', outcome: 'created', remoteId: id };
    }
    case 'update': {
      if (!payload || !('operations' in payload) || !item.remoteId) throw corrupt(item);
      const operations = [...payload.operations];
      const managerId = payload.managerKey === undefined ? undefined : ids.get(payload.managerKey);
      if (managerId !== undefined && managerId !== payload.currentManagerId) {
        operations.push(patchOperation(MANAGER, payload.currentManagerId ?? '', managerId));
      }
      if (operations.length === 0)
        return { seq: item.seq, state: 'done', outcome: 'unchanged', remoteId: item.remoteId };
      await patchUser(client, item.remoteId, operations);
      return { seq: item.seq, state: 'done', outcome: 'updated', remoteId: item.remoteId };
    }
    case 'deactivate':
      if (!item.remoteId) throw corrupt(item);
      await patchUser(client, item.remoteId, [{ op: 'replace', path: 'active', value: false }]);
      return { seq: item.seq, state: 'done', outcome: 'deactivated', remoteId: item.remoteId };
    case 'delete':
      if (!item.remoteId) throw corrupt(item);
      await deleteUser(client, item.remoteId);
      return { seq: item.seq, state: 'done', outcome: 'deleted', remoteId: item.remoteId };
    case 'unchanged':
      return {
        seq: item.seq,
        state: 'done',
        outcome: 'unchanged',
        ...(item.remoteId ? { remoteId: item.remoteId } : {}),
      };
  }
}

/** The new user with its manager's account id, once that manager exists. */
function withManager(resource: Record<string, unknown>, managerKey: string | undefined, ids: AccountIds) {
  const managerId = managerKey === undefined ? undefined : ids.get(managerKey);
  if (managerId === undefined) return resource;
  const extension = {
    ...(resource[ENTERPRISE_USER_SCHEMA] as Record<string, unknown> | undefined),
    manager: { value: managerId },
  };
  const schemas = resource['schemas'] as string[];
  return {
    ...resource,
    schemas: schemas.includes(ENTERPRISE_USER_SCHEMA) ? schemas : [...schemas, ENTERPRISE_USER_SCHEMA],
    [ENTERPRISE_USER_SCHEMA]: extension,
  };
}

/** Whether the account already shows what the item was to write (so it landed before the crash). */
function hasLanded(item: DeliveryItem, account: ScimUser, ids: AccountIds): boolean {
  const payload = item.payload as ScimPayload | undefined;
  switch (item.action) {
    case 'create':
      return true; // the account exists: the POST landed
    case 'deactivate':
      return account.active === false;
    case 'delete':
      return false; // still there
    case 'unchanged':
      return true;
    case 'update': {
      if (!payload || !('operations' in payload)) return false;
      const managerId = payload.managerKey === undefined ? undefined : ids.get(payload.managerKey);
      const managerDone = managerId === undefined || readAttribute(account, MANAGER) === managerId;
      return managerDone && payload.operations.every((operation) => shows(account, operation));
    }
  }
}

function shows(account: ScimUser, operation: PatchOperation): boolean {
  if (operation.path === 'active') return account.active === operation.value;
  // An added or removed work entry: compared by its value, so a normalised other attribute does not resend an add.
  const entry = (operation.value as { value?: unknown }[] | undefined)?.[0]?.value;
  if (operation.path === 'emails') return sameValue(WORK_EMAIL, readAttribute(account, WORK_EMAIL), String(entry));
  if (operation.path === 'phoneNumbers') return readAttribute(account, WORK_PHONE) === String(entry);
  if (operation.path === 'emails[type eq "work"]') return readAttribute(account, WORK_EMAIL) === '';
  if (operation.path === 'phoneNumbers[type eq "work"]') return readAttribute(account, WORK_PHONE) === '';
  const attribute = operation.path as ScimAttribute;
  const current = readAttribute(account, attribute);
  if (operation.op === 'remove') return current === '';
  const wanted =
    attribute === MANAGER ? String((operation.value as { value: unknown }).value) : String(operation.value);
  return sameValue(attribute, current, wanted);
}

function settledAs(item: DeliveryItem, remoteId: string | undefined): DeliveryItemResult {
  const outcome = {
    create: 'created',
    update: 'updated',
    deactivate: 'deactivated',
    delete: 'deleted',
    unchanged: 'unchanged',
  } as const;
  return { seq: item.seq, state: 'done', outcome: outcome[item.action], ...(remoteId ? { remoteId } : {}) };
}

/** A refusal of this one person, or undefined for an error the whole delivery must stop for. */
function refusalOf(err: unknown, item: DeliveryItem): DeliveryItemResult | undefined {
  if (!(err instanceof RosterflowError) || err.type !== 'TargetRequestRejected' || err.httpStatus === undefined)
    return undefined;
  // A DELETE of an account that is already gone did what it was meant to.
  if (err.httpStatus === 404 && item.action === 'delete') return settledAs(item, item.remoteId);
  const verb = { create: 'create', update: 'update', deactivate: 'deactivate', delete: 'delete', unchanged: 'read' }[
    item.action
  ];
  const code = err.vendorCode ? `, ${err.vendorCode}` : '';
  const why =
    err.httpStatus === 404
      ? 'the account is gone from the app'
      : `the app refused to ${verb} this user (HTTP ${err.httpStatus}${code})`;
  return failed(item, { status: err.httpStatus, ...(err.vendorCode ? { code: err.vendorCode } : {}), message: why });
}

function failed(item: DeliveryItem, error: NonNullable<DeliveryItemResult['error']>): DeliveryItemResult {
  return {
    seq: item.seq,
    state: 'failed',
    outcome: 'failed',
    ...(item.remoteId ? { remoteId: item.remoteId } : {}),
    error,
  };
}

function corrupt(item: DeliveryItem): RosterflowError {
  return new RosterflowError(
    'DeliveryFailed',
    `SCIM: planned item ${item.seq} (${item.action}) is missing what it was to send`,
    {
      retryable: false,
    },
  );
}
