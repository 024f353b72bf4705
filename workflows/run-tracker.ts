import { setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { progressQuery } from './progress';
import type { RunStatus, RunStepName, RunWait, SyncProgress } from './progress';
import { DRY_RUN, RUN_STATUS, SOURCE_TYPE, SYNC_ID, TARGET_TYPE, TRIGGER } from './search-attributes';
import { runDetails } from './run-details';

/** What a delivery tells the run about its waits, so the operator sees why nothing moves. */
export interface WaitReporter {
  waiting(wait: RunWait): void;
  waitOver(): void;
}

/** What a hold tells the run: its wait, then how it ended. */
export interface HoldReporter extends WaitReporter {
  holdEnded(decision: NonNullable<SyncProgress['holdDecision']>): void;
}

/**
 * Where the run is, kept by the workflow as it moves: answers the `progress` query, writes the
 * Web UI's current details (markdown) and upserts the status search attribute when it changes.
 * Search attributes are commands in the history, so runs begun before they existed (`visible`
 * false, from a `patched` check) keep only the query and the details, which are not.
 */
export class RunTracker implements HoldReporter {
  private readonly progress: SyncProgress;

  constructor(
    start: Pick<SyncProgress, 'syncId' | 'trigger' | 'dryRun'>,
    private readonly visible: boolean,
  ) {
    const { workflowId, runId } = workflowInfo();
    this.progress = {
      ...start,
      runId,
      workflowId,
      status: 'running',
      stepsDone: [],
      counts: {},
      updatedAt: now(),
    };
    setHandler(progressQuery, () => this.progress);
    if (visible) {
      upsertSearchAttributes([
        { key: SYNC_ID, value: start.syncId },
        { key: TRIGGER, value: start.trigger },
        { key: DRY_RUN, value: start.dryRun },
        { key: RUN_STATUS, value: 'running' },
      ]);
    }
    this.changed();
  }

  resolved(sourceType: string, targetType: string): void {
    Object.assign(this.progress, { sourceType, targetType });
    if (this.visible) {
      upsertSearchAttributes([
        { key: SOURCE_TYPE, value: sourceType },
        { key: TARGET_TYPE, value: targetType },
      ]);
    }
    this.changed();
  }

  stepStarted(step: RunStepName): void {
    Object.assign(this.progress, { step, stepStartedAt: now() });
    delete this.progress.wait;
    this.changed();
  }

  stepDone(step: RunStepName, counts: SyncProgress['counts'] = {}): void {
    if (!this.progress.stepsDone.includes(step)) this.progress.stepsDone.push(step);
    Object.assign(this.progress.counts, counts);
    this.changed();
  }

  waiting(wait: RunWait): void {
    this.progress.wait = wait;
    this.setStatus(wait.kind === 'hold' ? 'held' : 'running');
    this.changed();
  }

  waitOver(): void {
    delete this.progress.wait;
    this.setStatus('running');
    this.changed();
  }

  holdEnded(decision: NonNullable<SyncProgress['holdDecision']>): void {
    this.progress.holdDecision = decision;
    this.waitOver();
  }

  finished(status: Exclude<RunStatus, 'running' | 'held'>, failure?: string): void {
    if (this.progress.step === 'finish' && !this.progress.stepsDone.includes('finish'))
      this.progress.stepsDone.push('finish');
    delete this.progress.wait;
    delete this.progress.step;
    delete this.progress.stepStartedAt;
    if (failure === undefined) delete this.progress.failure;
    else this.progress.failure = failure;
    this.setStatus(status);
    this.changed();
  }

  private setStatus(status: RunStatus): void {
    if (this.progress.status === status) return;
    this.progress.status = status;
    if (this.visible) upsertSearchAttributes([{ key: RUN_STATUS, value: status }]);
  }

  private changed(): void {
    this.progress.updatedAt = now();
    setCurrentDetails(runDetails(this.progress));
  }
}

/** Workflow time (deterministic), as ISO text. */
function now(): string {
  return new Date().toISOString();
}
