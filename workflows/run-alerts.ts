import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import { ParentClosePolicy, log, startChild, workflowInfo } from '@temporalio/workflow';
import type { AlertKind, RunAlertSettings } from '../notify/alert';
import type { HoldReporter } from './run-tracker';
import { sendAlerts } from './send-alerts';

/**
 * A run's alerts: each event the sync's `notify.on` names starts one `sendAlerts` child workflow,
 * abandoned by the run (it outlives it), so a slow or dead receiver is retried on its own time and
 * never holds up or fails the sync. Started once per event: the child's id is the run's workflow id,
 * the kind, and for a second hold of the same run a number. Dry runs alert nobody.
 */
export class RunAlerts {
  private settings: RunAlertSettings | undefined;
  /** Set once the sync is resolved: from then on, no `notify:` means no alerts at all. */
  private syncResolved = false;
  private readonly started = new Map<AlertKind, number>();

  constructor(
    private readonly syncId: string,
    /** False for runs begun before alerts (their history has no child workflows to replay). */
    private readonly enabled: boolean,
    private readonly dryRun: boolean,
  ) {}

  resolved(settings: RunAlertSettings | undefined): void {
    this.settings = settings;
    this.syncResolved = true;
  }

  /** True when the run's change is unusual for the sync's `notify.unusualChangePercent`. */
  unusual(changedPercent: number | undefined): boolean {
    return (
      changedPercent !== undefined && this.settings !== undefined && changedPercent > this.settings.unusualChangePercent
    );
  }

  async announce(kind: AlertKind): Promise<void> {
    if (!this.enabled || this.dryRun) return;
    // A run that failed before its sync was resolved (a missing secret, a broken config) does not know
    // its `notify:`: the alert's own activity reads it from the config file, and sends nothing without one.
    if (this.settings ? !this.settings.on.includes(kind) : this.syncResolved || kind !== 'failed') return;
    const { workflowId, runId, firstExecutionRunId } = workflowInfo();
    const count = (this.started.get(kind) ?? 0) + 1;
    this.started.set(kind, count);
    try {
      await startChild(sendAlerts, {
        // The first run id survives a reset and differs for a workflow id used again: one alert per event.
        workflowId: `${workflowId}-${firstExecutionRunId}-alert-${kind}${count > 1 ? `-${count}` : ''}`,
        args: [{ alert: { kind, syncId: this.syncId, run: { runId, workflowId } } }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
    } catch (err) {
      // Already started: a reset run repeating an event whose alert went out once, as it should.
      // Anything else is logged too: an alert must never change how the run ends.
      const already = err instanceof WorkflowExecutionAlreadyStartedError;
      log.warn(already ? 'an alert was already sent for this event' : 'an alert could not be started', {
        kind,
        ...(already ? {} : { error: err instanceof Error ? err.message : String(err) }),
      });
    }
  }

  /** The run's hold reporter, alerting as a hold begins (without waiting for the child to start). */
  holdReporter(tracker: HoldReporter): HoldReporter {
    return {
      waiting: (wait) => {
        tracker.waiting(wait);
        if (wait.kind === 'hold') void this.announce('held');
      },
      waitOver: () => tracker.waitOver(),
      holdEnded: (decision) => tracker.holdEnded(decision),
    };
  }
}
