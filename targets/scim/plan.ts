import type { DeliveryItem } from '../../store/delivery-items';
import { MANAGER, patchOperation, readAttribute, sameValue, userResource } from './attributes';
import type { PatchOperation, ScimAttribute, ScimUser } from './attributes';
import type { ScimTargetConfig } from './config';

/** One person as the desired-state file lists them. */
export interface DesiredUser {
  externalId: string;
  active: boolean;
  /** Not started yet: an account is neither created nor changed. */
  pending?: boolean;
  values: Map<ScimAttribute, string>;
}

/** What a create or update sends; the manager is named by HR id until the send, when its account id is known. */
export type ScimPayload =
  | { resource: Record<string, unknown>; managerKey?: string }
  | { operations: PatchOperation[]; managerKey?: string; currentManagerId?: string };

export interface ScimPlan {
  items: DeliveryItem[];
  /** Accounts matched by HR id this run that the ledger did not list yet (or listed with another id). */
  matched: Map<string, string>;
  counts: {
    create: number;
    update: number;
    deactivate: number;
    delete: number;
    unchanged: number;
    ambiguous: number;
    /** Managed people missing from the roster, not deactivated because the run rejected rows. */
    deferred: number;
  };
  /** Active accounts this target manages in the app now: the base of the deactivation share. */
  activeManaged: number;
}

/**
 * Compares the desired users with the app's users and the accounts this target manages, and plans one
 * item per person. Only accounts carrying a listed HR id, or in the ledger, are ever touched. Creates
 * come first, managers before their reports, so a report's manager id is known when it is sent; then
 * updates; deactivations last.
 */
export function planScimDelivery(input: {
  desired: readonly DesiredUser[];
  appUsers: readonly ScimUser[];
  managed: ReadonlyMap<string, string>;
  config: Pick<ScimTargetConfig, 'attributes' | 'leavers'>;
  /**
   * Set when the run rejected rows: a person missing from the roster may be one of them (a typo in an
   * address), so no one is deactivated for being gone; leavers the source marks still are.
   */
  keepMissing?: boolean;
}): ScimPlan {
  const { desired, appUsers, managed, config } = input;
  const byExternalId = new Map<string, ScimUser[]>();
  const byId = new Map<string, ScimUser>();
  for (const user of appUsers) {
    // A server whose pages shift while they are read can list someone twice: once is enough.
    if (byId.has(user.id)) continue;
    byId.set(user.id, user);
    if (user.externalId === undefined) continue;
    const same = byExternalId.get(user.externalId);
    if (same) same.push(user);
    else byExternalId.set(user.externalId, [user]);
  }
  const accountOf = (key: string): ScimUser | undefined => {
    const found = byExternalId.get(key);
    return found?.length === 1 ? found[0] : undefined;
  };
  const listed = new Set(desired.map((user) => user.externalId));
  const creating = new Set(
    desired.filter((user) => user.active && !byExternalId.has(user.externalId)).map((user) => user.externalId),
  );
  const managerKeyOf = (user: DesiredUser) => user.values.get(MANAGER) || undefined;
  const removal = config.leavers === 'delete' ? 'delete' : 'deactivate';

  const creates: DeliveryItem[] = [];
  const updates: DeliveryItem[] = [];
  const removals: DeliveryItem[] = [];
  const unchanged: DeliveryItem[] = [];
  const matched = new Map<string, string>();
  const matchedIds = new Set<string>();
  let ambiguous = 0;
  let deferred = 0;
  let activeManaged = 0;

  for (const person of desired) {
    const found = byExternalId.get(person.externalId) ?? [];
    const base = { seq: 0, key: person.externalId };
    if (found.length > 1) {
      ambiguous += 1;
      unchanged.push({
        ...base,
        action: 'unchanged',
        state: 'failed',
        outcome: 'failed',
        error: { message: `the app has ${found.length} users with this externalId, so none of them was changed` },
      });
      continue;
    }
    const account = found[0];
    if (!account) {
      if (!person.active) unchanged.push({ ...base, action: 'unchanged', state: 'done', outcome: 'unchanged' });
      else {
        const values = new Map(person.values);
        values.delete(MANAGER);
        const managerKey = managerKeyOf(person);
        const known = managerKey === undefined ? undefined : accountOf(managerKey)?.id;
        if (known) values.set(MANAGER, known);
        const resource = userResource(person.externalId, values, true);
        creates.push({
          ...base,
          action: 'create',
          state: 'pending',
          payload: { resource, ...(known || !managerKey ? {} : { managerKey }) },
        });
      }
      continue;
    }
    matchedIds.add(account.id);
    if (managed.get(person.externalId) !== account.id) matched.set(person.externalId, account.id);
    const isActive = account.active !== false;
    if (isActive) activeManaged += 1;
    const withId = { ...base, remoteId: account.id };
    if (person.pending) {
      unchanged.push({ ...withId, action: 'unchanged', state: 'done', outcome: 'unchanged' });
      continue;
    }
    if (!person.active) {
      if (removal === 'delete') removals.push({ ...withId, action: 'delete', reason: 'left', state: 'pending' });
      else if (isActive) removals.push({ ...withId, action: 'deactivate', reason: 'left', state: 'pending' });
      else unchanged.push({ ...withId, action: 'unchanged', state: 'done', outcome: 'unchanged' });
      continue;
    }
    const change = changesFor(person, account, accountOf, creating, managerKeyOf(person));
    if (change) updates.push({ ...withId, action: 'update', state: 'pending', payload: change });
    else unchanged.push({ ...withId, action: 'unchanged', state: 'done', outcome: 'unchanged' });
  }

  // Accounts this target manages whose person the source no longer lists. Only an account that still
  // carries that person's HR id (or none: ours, cleared by hand) and that no listed person matched:
  // an account an admin moved to a rehire's new id is the rehire's now.
  for (const [key, id] of managed) {
    if (listed.has(key) || matchedIds.has(id)) continue;
    const account = byId.get(id);
    if (!account || (account.externalId !== undefined && account.externalId !== key)) continue;
    matchedIds.add(id);
    const isActive = account.active !== false;
    if (isActive) activeManaged += 1;
    if (input.keepMissing && (removal === 'delete' || isActive)) {
      deferred += 1;
      continue;
    }
    if (removal === 'delete')
      removals.push({ seq: 0, key, remoteId: id, action: 'delete', reason: 'gone', state: 'pending' });
    else if (isActive)
      removals.push({ seq: 0, key, remoteId: id, action: 'deactivate', reason: 'gone', state: 'pending' });
  }

  const items = [...managersFirst(creates, desired, managerKeyOf), ...updates, ...removals, ...unchanged];
  items.forEach((item, index) => (item.seq = index + 1));
  return {
    items,
    matched,
    counts: {
      create: creates.length,
      update: updates.length,
      deactivate: removals.filter((item) => item.action === 'deactivate').length,
      delete: removals.filter((item) => item.action === 'delete').length,
      unchanged: unchanged.length - ambiguous,
      ambiguous,
      deferred,
    },
    activeManaged,
  };
}

/** The operations that bring an account to the desired values, or undefined when it already has them. */
function changesFor(
  person: DesiredUser,
  account: ScimUser,
  accountOf: (key: string) => ScimUser | undefined,
  creating: ReadonlySet<string>,
  managerKey: string | undefined,
): ScimPayload | undefined {
  const operations: PatchOperation[] = [];
  if (account.active === false) operations.push({ op: 'replace', path: 'active', value: true });
  for (const [attribute, wanted] of person.values) {
    if (attribute === MANAGER) continue;
    const current = readAttribute(account, attribute);
    if (!sameValue(attribute, current, wanted)) operations.push(patchOperation(attribute, current, wanted));
  }
  let pendingManager: string | undefined;
  if (person.values.has(MANAGER)) {
    const current = readAttribute(account, MANAGER);
    if (managerKey === undefined) {
      if (current !== '') operations.push(patchOperation(MANAGER, current, ''));
    } else if (creating.has(managerKey)) {
      pendingManager = managerKey; // created earlier in this run: its id is known at the send
    } else {
      const id = accountOf(managerKey)?.id;
      // A manager the app does not have (or has twice) is left as it is rather than cleared.
      if (id !== undefined && id !== current) operations.push(patchOperation(MANAGER, current, id));
    }
  }
  if (operations.length === 0 && pendingManager === undefined) return undefined;
  return {
    operations,
    ...(pendingManager === undefined
      ? {}
      : { managerKey: pendingManager, currentManagerId: readAttribute(account, MANAGER) }),
  };
}

/** Creates ordered so that a manager created in this run comes before the people reporting to them. */
function managersFirst(
  creates: DeliveryItem[],
  desired: readonly DesiredUser[],
  managerKeyOf: (user: DesiredUser) => string | undefined,
): DeliveryItem[] {
  const creating = new Set(creates.map((item) => item.key));
  const managerOf = new Map<string, string>();
  for (const person of desired) {
    const manager = managerKeyOf(person);
    if (manager !== undefined && creating.has(person.externalId) && creating.has(manager))
      managerOf.set(person.externalId, manager);
  }
  const depth = new Map<string, number>();
  const depthOf = (key: string): number => {
    let known = depth.get(key);
    if (known !== undefined) return known;
    // Walk up iteratively (a chain can be thousands long); a cycle stops where it closes.
    const chain: string[] = [];
    const seen = new Set<string>();
    let at: string | undefined = key;
    while (at !== undefined && !depth.has(at) && !seen.has(at)) {
      seen.add(at);
      chain.push(at);
      at = managerOf.get(at);
    }
    let level = at !== undefined && depth.has(at) ? depth.get(at)! + 1 : 0;
    for (const member of chain.reverse()) {
      depth.set(member, level);
      level += 1;
    }
    known = depth.get(key)!;
    return known;
  };
  return creates
    .map((item, index) => ({ item, index, depth: depthOf(item.key) }))
    .sort((a, b) => a.depth - b.depth || a.index - b.index)
    .map(({ item }) => item);
}
