import type { Readable, Transform } from 'node:stream';
import type { TargetConfig } from '../config/schema';
import type { Employee } from '../core/employee';
import { createCsvFileRenderer } from './csv-file/render';
import { deliverCsvFile } from './csv-file/deliver';

export interface TargetRenderer {
  /** The CSV text stream; write rows to it, then end it. */
  stream: Transform;
  /** The row for an employee, or undefined when this target leaves the employee out. */
  toRow(employee: Employee): string[] | undefined;
}

export interface Target {
  /** The artifact's file name, e.g. `people.csv`. */
  artifactName: string;
  /** Where a delivery lands, for the run record (a path or URL, never credentials). */
  location: string;
  createRenderer(): TargetRenderer;
  deliver(artifact: Readable, runId: string): Promise<void>;
}

/** Builds the target a sync's `target.type` names. */
export function createTarget(config: TargetConfig): Target {
  switch (config.type) {
    case 'csv-file':
      return {
        artifactName: 'roster.csv',
        location: config.path,
        createRenderer: () => createCsvFileRenderer(config),
        deliver: (artifact, runId) => deliverCsvFile(config, artifact, runId),
      };
  }
}
