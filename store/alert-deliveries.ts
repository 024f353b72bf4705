import { createHash } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { RunEvent } from './run-record';
import { insertOrReplace } from './insert-or-replace';

interface AlertDeliveryDocument extends RunEvent {
  _id: string;
  runId: string;
  syncId: string;
}

/**
 * What became of each alert of a run (`alert-sent` / `alert-failed`, in the words of a run event), in
 * a collection of their own: alerts are sent by a workflow of their own while the run goes on, and an
 * insert here can never race the run's own updates of its record (the embedded store applies updates
 * of one document from two clients one over the other). `history --run` shows them with the run's events.
 */
export class AlertDeliveryStore {
  private readonly deliveries: Collection<AlertDeliveryDocument>;

  constructor(db: Db) {
    this.deliveries = db.collection<AlertDeliveryDocument>('alert_deliveries');
  }

  async ensureIndexes(): Promise<void> {
    await this.deliveries.createIndex({ runId: 1, at: 1 });
  }

  /**
   * Records one outcome of the alert workflow `alertWorkflowId`; the same outcome recorded again (a
   * retried activity) stays one, and a second hold's alert is another.
   */
  async record(runId: string, syncId: string, alertWorkflowId: string, event: RunEvent): Promise<void> {
    const key = `${runId}\n${alertWorkflowId}\n${event.kind}\n${event.detail}`;
    const _id = createHash('sha256').update(key).digest('hex').slice(0, 32);
    await insertOrReplace(this.deliveries, { _id, runId, syncId, ...event });
  }

  /** A run's alert outcomes, oldest first. */
  async ofRun(runId: string): Promise<RunEvent[]> {
    const found = await this.deliveries
      .find({ runId }, { projection: { _id: 0, runId: 0, syncId: 0 } })
      .sort({ at: 1 })
      .toArray();
    return found;
  }
}
