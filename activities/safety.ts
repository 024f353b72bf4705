import { heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Hash64Set, hash64 } from '../core/hash64';
import ms from 'ms';
import { DEFAULT_MAX_DEACTIVATION_PERCENT, evaluateSafetyRules } from '../core/safety-rules';
import type { PlanCounts, SafetyLimits } from '../core/safety-rules';
import type { SyncConfig } from '../config/schema';
import { targetDefinition } from '../targets';
import { writeChangeReport } from '../report/report-run';
import type { ChangeReportSummary, HoldRecord } from '../store/run-record';
import type { ActivityDeps } from './deps';
import { loadRunSync } from './load-run-sync';
import { toApplicationFailure } from './failures';
import { recordHoldDecided, recordHoldStarted } from './metrics';

export interface PlanDeliveryInput {
  runId: string;
}

/** The plan's counts and verdict: numbers and count-only sentences, safe for workflow history. */
export interface DeliveryPlan extends PlanCounts {
  /** The safety rules this run trips; empty means deliver. */
  tripped: string[];
  /** How long a hold waits for a decision (the sync's safety.holdExpiresAfter). */
  holdExpiresAfter: string;
  holdExpiresAfterMs: number;
  /** The change report's counts (the people are in MongoDB); absent for runs built before reports. */
  changes?: ChangeReportSummary;
}

export interface HoldRunInput {
  runId: string;
  reasons: string[];
  source: HoldRecord['source'];
  /** ISO times, from workflow time. */
  since: string;
  expiresAt: string;
}

export interface EndHoldInput {
  runId: string;
  /** Absent when the hold expired unanswered. */
  decision?: { approve: boolean; by: string; reason: string; at: string };
}

/** A target whose own import preview is checked on every delivery (its definition says when). */
const hasMandatoryPreviewCheck = (sync: SyncConfig): boolean =>
  targetDefinition(sync.target.type).previewChecksDeactivations?.(sync.target) ?? false;

export function safetyLimits(sync: SyncConfig): SafetyLimits {
  const { minEmployees, maxShrinkPercent, maxDeactivations, maxDeactivationPercent } = sync.safety;
  return {
    minEmployees,
    maxShrinkPercent,
    maxDeactivations,
    maxDeactivationPercent:
      maxDeactivationPercent ?? (hasMandatoryPreviewCheck(sync) ? undefined : DEFAULT_MAX_DEACTIVATION_PERCENT),
  };
}

/** Employed, for the deactivation count: everyone but leavers (`pending` and `leave` people still work here). */
const isEmployed = (status: string): boolean => status !== 'inactive';

export function createSafetyActivities(deps: ActivityDeps) {
  /**
   * Counts the run's employed people (hashes, chunk by chunk) against the sync's last delivery and
   * applies the safety rules. Not a step of its own in the run's timeline (that stays
   * resolve/build/deliver): its outcome is the run record's `plan`. Failures are classified like a
   * step's. `writeSnapshot` is for runs from before the one-pass build, whose plan writes the planned
   * snapshot itself; the build writes it as it goes.
   */
  async function planAgainstBaseline(
    runId: string,
    chunks: () => AsyncIterable<Iterable<bigint>>,
    writeSnapshot: boolean,
  ): Promise<DeliveryPlan> {
    try {
      const sync = await loadRunSync(deps, runId);
      const run = await deps.store.runs.get(runId);
      const previous = await deps.store.snapshots.current(sync.id);
      const writer = writeSnapshot ? await deps.store.snapshots.openWriter(sync.id, runId) : undefined;
      // Kept only to compare with the last delivery, or to write a snapshot of older runs: the build
      // writes each employed id once, so a first delivery only counts (12-18 bytes a person saved).
      const current = previous || writer ? new Hash64Set() : undefined;
      // Nothing to compare against and a count from the build: the hashes need not be read at all.
      const counted = current ? undefined : run?.counts.employed;
      let active = counted ?? 0;
      let read = 0;
      for await (const chunk of counted === undefined ? chunks() : []) {
        for (const hash of chunk) {
          // Older runs' sources could repeat an id (which commitSnapshot would count): counted once here.
          if (current && !current.add(hash)) continue;
          active += 1;
          await writer?.add(hash);
        }
        read += 1;
        heartbeat({ chunks: read });
      }
      if (writer) await writer.close();
      const deactivations = previous && current ? await deps.store.snapshots.countMissing(previous, current) : 0;
      const counts: PlanCounts = {
        // Counted by the step that read the source (build, or extract in older runs).
        pulled: run?.counts.pulled ?? 0,
        active,
        deactivations,
        ...(previous
          ? {
              previousPulled: previous.pulled,
              previousActive: previous.active,
              previousRunId: previous.runId,
              previousDeliveredAt: previous.deliveredAt.toISOString(),
            }
          : {}),
      };
      const tripped = evaluateSafetyRules(counts, safetyLimits(sync));
      // Who the plan's counts are, person by person, for the hold's operator and `rosterflow report`
      // (runs from before the one-pass build kept no people to compare).
      const changes = writeSnapshot
        ? undefined
        : await writeChangeReport(deps, { runId, previous, pulled: counts.pulled });
      await deps.store.runs.setPlan(runId, { ...counts, tripped });
      const holdExpiresAfter = sync.safety.holdExpiresAfter;
      return {
        ...counts,
        tripped,
        holdExpiresAfter,
        holdExpiresAfterMs: ms(holdExpiresAfter as ms.StringValue),
        ...(changes ? { changes } : {}),
      };
    } catch (err) {
      throw toApplicationFailure(err, 'plan');
    }
  }

  return {
    /**
     * The plan step, between the build and delivery: counts this run's employed people against the
     * sync's last delivery and applies the safety rules, from the planned snapshot the build wrote (the
     * hashes of the employed ids), which commitSnapshot makes current only after a successful delivery.
     */
    async planRun({ runId }: PlanDeliveryInput): Promise<DeliveryPlan> {
      return planAgainstBaseline(runId, () => deps.store.snapshots.hashesOf(runId), false);
    },

    /**
     * The plan step of runs started before the one-pass build (their employees are staged pages):
     * the same plan, from the staged rows. Kept while such runs may still be open; see docs/upgrading.md.
     */
    async planDelivery({ runId }: PlanDeliveryInput): Promise<DeliveryPlan> {
      return planAgainstBaseline(
        runId,
        async function* () {
          for await (const { records, renderRejected } of deps.store.staging.readPagesForPlan(runId)) {
            // Someone the target's checks refused is in none of its files: gone, for the target.
            const employed = records
              .filter((employee) => isEmployed(employee.status) && !renderRejected.has(employee.sourceId))
              .map((employee) => hash64(employee.sourceId));
            yield employed;
          }
        },
        true,
      );
    },

    /** Marks the run held in the run store (what `rosterflow holds` lists) and notes it in its events. */
    async holdRun(input: HoldRunInput): Promise<void> {
      const before = await deps.store.runs.get(input.runId);
      await deps.store.runs.hold(input.runId, {
        reasons: input.reasons,
        since: new Date(input.since),
        expiresAt: new Date(input.expiresAt),
        source: input.source,
      });
      // Counted once, as the run becomes held: a retry finds it held since this hold began.
      if (before && before.hold?.since.getTime() !== new Date(input.since).getTime()) {
        await recordHoldStarted(before.syncId);
      }
      await deps.store.runs.addEvent(input.runId, {
        at: new Date(input.since),
        step: input.source === 'plan' ? 'plan' : 'deliver',
        kind: 'held',
        detail: `${input.reasons.join('; ')}; waiting for approval until ${input.expiresAt}`,
      });
    },

    /** Records who decided what and why (or that nobody did in time). */
    async endHold({ runId, decision }: EndHoldInput): Promise<void> {
      const run = await deps.store.runs.get(runId);
      const step = run?.hold?.source === 'target-preview' ? 'deliver' : 'plan';
      // Counted once, as the hold ends: a retry finds it already ended.
      const open = run?.hold !== undefined && run.hold.decision === undefined && !run.hold.expired;
      if (decision === undefined) {
        await deps.store.runs.endHold(runId, { expired: true });
        if (open) await recordHoldDecided(run.syncId, 'expired');
        await deps.store.runs.addEvent(runId, {
          at: new Date(),
          step,
          kind: 'hold-expired',
          detail: 'nobody approved or rejected the hold in time',
        });
        return;
      }
      const at = new Date(decision.at);
      await deps.store.runs.endHold(runId, { decision: { ...decision, at } });
      if (open) await recordHoldDecided(run.syncId, decision.approve ? 'approved' : 'rejected');
      await deps.store.runs.addEvent(runId, {
        at,
        step,
        kind: decision.approve ? 'hold-approved' : 'hold-rejected',
        detail: `by ${decision.by}: ${decision.reason}`,
      });
    },

    /** After a successful delivery: this run's employed ids become the sync's baseline for the next plan. */
    async commitSnapshot({ runId }: { runId: string }): Promise<void> {
      const run = await deps.store.runs.get(runId);
      if (!run?.plan) {
        throw ApplicationFailure.nonRetryable(`Run ${runId} has no plan to take a snapshot from`, 'InvalidInput');
      }
      const stored = await deps.store.snapshots.countIds(runId);
      if (stored !== run.plan.active) {
        // Never make a partial snapshot current: the previous one stays the baseline.
        await deps.store.runs.addEvent(runId, {
          at: new Date(),
          step: 'deliver',
          kind: 'snapshot-skipped',
          detail: `the planned snapshot holds ${stored} of ${run.plan.active} ids; the previous one stays current`,
        });
        return;
      }
      await deps.store.snapshots.commit({
        syncId: run.syncId,
        runId,
        pulled: run.plan.pulled,
        active: run.plan.active,
        deliveredAt: new Date(),
      });
    },

    /** A run that planned but will not deliver (dry run, failure, rejected hold) drops its planned snapshot. */
    async discardSnapshot({ runId }: { runId: string }): Promise<void> {
      await deps.store.snapshots.discard(runId);
    },
  };
}
