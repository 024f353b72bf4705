import { setTimeout as delay } from 'node:timers/promises';
import { activityInfo, cancellationSignal } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import ms from 'ms';
import { RosterflowError } from '../../core/errors';
import type { ActivityDeps } from '../../activities/deps';
import { withKeepAlive } from '../../activities/keep-alive';
import { loadRunSync } from '../../activities/load-run-sync';
import { recordRateLimitWait } from '../../activities/metrics';
import { runStep } from '../../activities/step';
import { createSecretResolver } from '../../io/secrets';
import type { HttpClient } from '../../io/http';
import type { DeliveryItem, DeliveryItemResult } from '../../store/delivery-items';
import type { DeliveryStepInput, DeliveryStepResult } from '../sdk/delivery-step';
import { createScimHttpClient, listAllUsers } from './client';
import { listedAttributes } from './attributes';
import { ScimCheckpointSchema } from './checkpoint';
import type { ScimCheckpoint } from './checkpoint';
import type { ScimTargetConfig } from './config';
import { readDesiredUsers } from './desired';
import { planScimDelivery } from './plan';
import { judgeScimPlan } from './safety';
import { resumeItem, sendItem } from './send';

/** Items marked in flight at a time: a crash leaves at most this many to look up before going on. */
const WINDOW = 100;
/** A step returns to the workflow after this long, so one activity never runs for hours. */
const STEP_BUDGET_MS = 10 * 60_000;
/** Refused people named in the run record. */
const RECORDED_REFUSALS = 100;

/** Where a SCIM delivery lands: the app's SCIM base URL, never credentials. */
export function scimLocation(config: Pick<ScimTargetConfig, 'baseUrl'>): string {
  return config.baseUrl.replace(/\/+$/, '');
}

/** Whose accounts: this sync's, in this app. */
function ledgerScope(syncId: string, config: ScimTargetConfig): string {
  return `${syncId} ${scimLocation(config)}`;
}

export function createScimActivities(deps: ActivityDeps) {
  const { store } = deps;

  const open = async (runId: string) => {
    const sync = await loadRunSync(deps, runId);
    if (sync.target.type !== 'scim') {
      throw ApplicationFailure.nonRetryable(`deliverScim cannot deliver a ${sync.target.type} target`, 'InvalidInput');
    }
    const client = await createScimHttpClient(sync.target, deps.resolveSecret ?? createSecretResolver());
    return { sync, config: sync.target, client };
  };

  const writer = () => ({ activityId: activityInfo().activityId, attempt: activityInfo().attempt });

  /** Lists the app, reads the desired state, and writes one item per person (no write to the app yet). */
  const plan = async (
    runId: string,
    syncId: string,
    config: ScimTargetConfig,
    client: HttpClient,
    artifactId: string,
    progress: StepProgress,
  ) => {
    const attributes = config.attributes.map((mapping) => mapping.attribute);
    const appUsers = await listAllUsers(client, listedAttributes(attributes), (listed) => (progress.done = listed));
    progress.phase = 'planning';
    const desired = await readDesiredUsers(store.artifacts.openReader(artifactId), attributes);
    const scope = ledgerScope(syncId, config);
    const counts = (await store.runs.get(runId))?.counts;
    const planned = planScimDelivery({
      desired,
      appUsers,
      managed: await store.managedAccounts.load(scope),
      config,
      keepMissing: (counts?.rejected ?? 0) + (counts?.renderRejected ?? 0) > 0,
    });
    await store.deliveryItems.replacePlan(runId, planned.items, (written) => (progress.done = written));
    await store.managedAccounts.record(scope, planned.matched);
    if (planned.counts.deferred > 0) {
      await store.runs.addEvent(runId, {
        at: new Date(),
        step: 'deliver',
        kind: 'deactivations-deferred',
        detail: `${planned.counts.deferred} people this sync manages in the app are missing from this run's roster, which rejected rows; they are kept until a run without rejected rows`,
      });
    }
    const tripped = judgeScimPlan(planned, config.safety);
    const checkpoint: ScimCheckpoint = {
      kind: 'scim',
      phase: tripped ? 'planned' : 'approved',
      planned: planned.counts,
      activeManaged: planned.activeManaged,
      ...(tripped ? { tripped } : {}),
      inFlight: [],
    };
    await store.checkpoints.put(runId, 'deliver', checkpoint, writer());
    await store.runs.updateDelivery(runId, { preview: { ...planned.counts, activeManaged: planned.activeManaged } });
    return checkpoint;
  };

  /** Sends the unsettled items in plan order, a window at a time; answers why it stopped. */
  const apply = async (
    runId: string,
    syncId: string,
    config: ScimTargetConfig,
    client: HttpClient,
    checkpoint: ScimCheckpoint,
    progress: StepProgress,
  ) => {
    progress.phase = 'writing';
    const scope = ledgerScope(syncId, config);
    const spacingMs = config.writesPerMinute === undefined ? 0 : 60_000 / config.writesPerMinute;
    const startedAt = Date.now();
    let lastWriteAt = 0;
    let sent = 0;
    const { unsettled, remoteIds: ids } = await store.deliveryItems.standing(runId, checkpoint.inFlight);
    for (let at = 0; at < unsettled.length; at += WINDOW) {
      if (Date.now() - startedAt > STEP_BUDGET_MS) return { kind: 'continue' as const };
      const window = unsettled.slice(at, at + WINDOW);
      // Fenced (an attempt Temporal gave up on stops here instead of writing beside its successor),
      // and naming the window's items as in flight: a crash leaves them to be looked up, not resent.
      await store.checkpoints.put(
        runId,
        'deliver',
        { ...checkpoint, inFlight: window.map((item) => item.seq) },
        writer(),
      );
      const results: DeliveryItemResult[] = [];
      // The ledger first: a crash between the two leaves an account recorded as managed whose item the
      // next attempt looks up, never a created account the ledger does not know (it could not be deactivated).
      const settle = async () => {
        const created = new Map(
          results
            .filter((result) => result.outcome === 'created' && result.remoteId)
            .map((result) => [keyOf(window, result.seq), result.remoteId!]),
        );
        await store.managedAccounts.record(scope, created);
        await store.managedAccounts.forget(
          scope,
          results.filter((result) => result.outcome === 'deleted').map((result) => keyOf(window, result.seq)),
        );
        await store.deliveryItems.settle(runId, results, writer());
      };
      let sending: DeliveryItem | undefined;
      try {
        for (const item of window) {
          // An attempt Temporal has given up on (its heartbeats timed out) stops before its next write.
          cancellationSignal().throwIfAborted();
          sending = item;
          const wait = lastWriteAt + spacingMs - Date.now();
          if (wait > 0) await delay(wait);
          progress.done = item.seq;
          const result =
            item.state === 'sending' ? await resumeItem(client, item, ids) : await sendItem(client, item, ids);
          lastWriteAt = Date.now();
          sent += 1;
          results.push(result);
          if (result.outcome === 'created' && result.remoteId) ids.set(item.key, result.remoteId);
        }
      } catch (err) {
        // What was settled stays settled. A 429 means the app did not act on the refused write; any
        // other failure may have landed it. The rest of the window was never sent by this attempt, so
        // only what an earlier attempt left in flight is still looked up before it is sent again.
        const rateLimited = err instanceof RosterflowError && err.type === 'RateLimited';
        await settle();
        // Stopped before its first item (cancelled): the whole window stays as the checkpoint names it.
        if (sending === undefined) throw err;
        const stopped = sending;
        const stillInFlight = window.filter((item) =>
          item.seq === stopped.seq
            ? !rateLimited || item.state === 'sending'
            : item.seq > stopped.seq && item.state === 'sending',
        );
        await store.checkpoints.put(
          runId,
          'deliver',
          { ...checkpoint, inFlight: stillInFlight.map((item) => item.seq) },
          writer(),
        );
        if (rateLimited) {
          const waitMs = err.retryAfterMs ?? 60_000;
          await store.runs.addEvent(runId, {
            at: new Date(),
            step: 'deliver',
            kind: 'rate-limited',
            detail: `the SCIM app answered HTTP ${err.httpStatus ?? 429} after ${sent} writes in this attempt; waiting ${Math.ceil(waitMs / 1000)}s`,
            until: new Date(Date.now() + waitMs),
          });
          await recordRateLimitWait({ syncId, target: 'scim' }, waitMs);
          return { kind: 'wait' as const, ms: waitMs, reason: 'rate limited by the SCIM app', progressed: sent > 0 };
        }
        throw err;
      }
      await settle();
    }
    return { kind: 'done' as const };
  };

  /** The outcome per person, counted into the run record; refused people by HR id and code only. */
  const finish = async (runId: string, config: ScimTargetConfig) => {
    const { counts, failures } = await store.deliveryItems.summary(runId, RECORDED_REFUSALS);
    const location = scimLocation(config);
    // Beside the plan's counts (`preview`), which stay.
    await store.runs.updateDelivery(runId, { target: 'scim', location, result: { ...counts } });
    const failed = counts.failed ?? 0;
    if (failed === 0) return { target: 'scim', location };
    const codes = new Map<string, number>();
    for (const item of failures) {
      const code = item.error?.code ?? (item.error?.status ? `HTTP ${item.error.status}` : 'ambiguous');
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    const refused = {
      vendor: 'SCIM',
      count: failed,
      codes: [...codes].map(([code, rows]) => ({ code, rows })).sort((a, b) => b.rows - a.rows),
    };
    await store.runs.setVendorRefusals(runId, {
      ...refused,
      rows: failures.map((item) => ({ externalId: item.key, ...(item.error?.code ? { code: item.error.code } : {}) })),
    });
    return { target: 'scim', location, refused };
  };

  return {
    /**
     * The SCIM target's delivery step (targets/sdk/step-delivery.ts drives it): plan against the
     * app's users once, check the plan against the limits (asking for a hold when over), then write
     * person by person, each write's outcome its checkpoint, until all are settled.
     */
    async deliverScim({ runId, artifacts, approved }: DeliveryStepInput): Promise<DeliveryStepResult> {
      const progress: StepProgress = { phase: 'listing', done: 0 };
      return runStep(deps, runId, 'deliver', () =>
        withKeepAlive(
          () => progress,
          () => step(runId, artifacts, approved, progress),
        ),
      );
    },
  };

  /** One call of the step: plan once, pass or ask about the limits, write. */
  async function step(
    runId: string,
    artifacts: DeliveryStepInput['artifacts'],
    approved: boolean | undefined,
    progress: StepProgress,
  ): Promise<DeliveryStepResult> {
    const { sync, config, client } = await open(runId);
    const [artifact] = artifacts;
    if (!artifact) throw ApplicationFailure.nonRetryable('deliverScim was given no desired-state file', 'InvalidInput');
    const saved = await store.checkpoints.get(runId, 'deliver');
    const parsed = ScimCheckpointSchema.safeParse(saved?.data);
    let checkpoint = parsed.success ? parsed.data : await plan(runId, sync.id, config, client, artifact.id, progress);
    if (checkpoint.phase === 'planned') {
      if (!approved) {
        if (sync.safety.onPreviewTrip === 'fail') {
          throw ApplicationFailure.nonRetryable(
            `${checkpoint.tripped}; nothing was written to the app`,
            'SafetyRuleTripped',
          );
        }
        const expiresAfter = sync.safety.holdExpiresAfter;
        return {
          kind: 'hold',
          reasons: [checkpoint.tripped ?? 'The SCIM plan is over its limits'],
          expiresAfter,
          expiresAfterMs: ms(expiresAfter as ms.StringValue),
        };
      }
      checkpoint = { ...checkpoint, phase: 'approved' };
      await store.checkpoints.put(runId, 'deliver', checkpoint, writer());
    }
    const stopped = await apply(runId, sync.id, config, client, checkpoint, progress);
    if (stopped.kind !== 'done') return stopped;
    return { kind: 'delivered', outcome: await finish(runId, config) };
  }
}

/** What the step's heartbeats report: a step whose count stands still for minutes is stuck. */
interface StepProgress {
  phase: 'listing' | 'planning' | 'writing';
  done: number;
}

function keyOf(window: readonly DeliveryItem[], seq: number): string {
  return window.find((item) => item.seq === seq)!.key;
}

/** What this target's step activity is, for its definition. */
export type ScimActivities = ReturnType<typeof createScimActivities>;
