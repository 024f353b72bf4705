import { ApplicationFailure } from '@temporalio/common';
import { RosterflowError } from '../../core/errors';
import ms from 'ms';
import { createSecretResolver } from '../../connectors/sdk/secrets';
import type { HttpClient } from '../../connectors/sdk/http';
import type { StaffbaseTargetConfig } from '../../targets/staffbase/config';
import { pollingDelaysMs } from '../../targets/staffbase/config';
import {
  assertKnownState,
  buildImportConfig,
  configureImport,
  createStaffbaseHttpClient,
  ensureImport,
  getImport,
  getImportErrors,
  requestImport,
  requestPreview,
  staffbaseImportFileName,
} from '../../targets/staffbase/client';
import type { StaffbaseImportCounts, StaffbaseImportState } from '../../targets/staffbase/client';
import { staffbaseHeaders } from '../../targets/staffbase/layout';
import type { ActivityDeps } from '../deps';
import { withKeepAlive } from '../keep-alive';
import { loadRunSync } from '../load-run-sync';
import type { RenderResult } from '../render';
import { runStep } from '../step';

export interface StaffbaseStepInput {
  runId: string;
  importId: string;
}

/** The preview check's verdict: a non-empty `tripped` asks the workflow to hold before importing. */
export interface StaffbasePreviewCheck {
  counts: StaffbaseImportCounts | null;
  tripped: string[];
  holdExpiresAfter: string;
  holdExpiresAfterMs: number;
}

export interface StaffbasePolling {
  initialIntervalMs: number;
  maxIntervalMs: number;
  timeoutMs: number;
}

/** States past which a state change request is already done (asking again would be refused). */
const PAST_PREVIEW_REQUEST: readonly StaffbaseImportState[] = ['PREVIEW_PENDING', 'CREATING_PREVIEW', 'PREVIEW_READY'];
const PAST_IMPORT_REQUEST: readonly StaffbaseImportState[] = ['IMPORT_PENDING', 'IMPORTING', 'COMPLETED'];

export function createStaffbaseActivities(deps: ActivityDeps) {
  const resolveSecret = () => deps.resolveSecret ?? createSecretResolver();

  const open = async (
    runId: string,
  ): Promise<{ config: StaffbaseTargetConfig; client: HttpClient; syncId: string }> => {
    const sync = await loadRunSync(deps, runId);
    if (sync.target.type !== 'staffbase') {
      throw ApplicationFailure.nonRetryable(`Not a Staffbase target: ${sync.target.type}`, 'InvalidInput');
    }
    return { config: sync.target, client: createStaffbaseHttpClient(sync.target, resolveSecret()), syncId: sync.id };
  };

  /** The import's state, recorded in the run record whenever it changed. */
  const readState = async (runId: string, client: HttpClient, importId: string) => {
    const status = await getImport(client, importId);
    assertKnownState(status);
    const run = await deps.store.runs.get(runId);
    const states = run?.delivery?.states ?? [];
    if (states.at(-1)?.state !== status.state) {
      await deps.store.runs.updateDelivery(runId, { states: [...states, { state: status.state, at: new Date() }] });
    }
    return status;
  };

  return {
    /**
     * Uploads the run's file as a new import, or finds the one an earlier attempt of this run already
     * created (the file name is unique per run), so a crash never leaves a second import behind.
     */
    async ensureStaffbaseImport({ runId, artifacts }: { runId: string; artifacts: RenderResult['artifacts'] }) {
      return runStep(deps, runId, 'deliver', async () => {
        const { config, client, syncId } = await open(runId);
        const [artifact] = artifacts;
        if (!artifact) throw ApplicationFailure.nonRetryable('No artifact to upload to Staffbase', 'InvalidInput');
        const fileName = staffbaseImportFileName(syncId, runId);
        const csv = await deps.store.artifacts.read(artifact.id);
        const { importId, created } = await withKeepAlive(
          () => ({ fileName }),
          () => ensureImport(client, { fileName, csv, separator: config.separator }),
        );
        await deps.store.runs.setDelivery(runId, {
          target: 'staffbase',
          location: `${config.baseUrl.replace(/\/+$/, '')}/users/imports`,
          remoteId: importId,
          states: [],
        });
        const polling: StaffbasePolling = pollingDelaysMs(config.polling);
        return { importId, created, polling };
      });
    },

    /** Maps the file's columns to Staffbase attributes; only while the import is still a draft. */
    async configureStaffbaseImport({ runId, importId }: StaffbaseStepInput): Promise<void> {
      const { config, client } = await open(runId);
      const status = await readState(runId, client, importId);
      if (status.state !== 'DRAFT') return; // configured by an earlier attempt, and already moving on
      await configureImport(client, importId, buildImportConfig(config, staffbaseHeaders(config)));
    },

    async requestStaffbasePreview({ runId, importId }: StaffbaseStepInput): Promise<void> {
      const { client } = await open(runId);
      const status = await readState(runId, client, importId);
      if (PAST_PREVIEW_REQUEST.includes(status.state)) return;
      if (status.state !== 'DRAFT') {
        throw ApplicationFailure.nonRetryable(
          `Staffbase import ${importId} is ${status.state}; a preview needs DRAFT`,
          'ImportStateUnexpected',
        );
      }
      await requestPreview(client, importId);
    },

    /** One poll: the import's state (an undocumented state fails the run, never gets polled on). */
    async pollStaffbaseImport({ runId, importId }: StaffbaseStepInput): Promise<{ state: StaffbaseImportState }> {
      const { client } = await open(runId);
      const status = await readState(runId, client, importId);
      return { state: status.state };
    },

    /**
     * Applies the target's safety rules to the preview before anything is imported: too many
     * deactivations (deletions of pending users count too) fail the run, and nothing changes; or, when
     * the sync says `safety.onPreviewTrip: hold`, come back as `tripped` so the workflow holds the run
     * for an operator (workflows/hold.ts) with the import waiting in PREVIEW_READY.
     */
    async checkStaffbasePreview({ runId, importId }: StaffbaseStepInput): Promise<StaffbasePreviewCheck> {
      const sync = await loadRunSync(deps, runId);
      const hold = {
        holdExpiresAfter: sync.safety.holdExpiresAfter,
        holdExpiresAfterMs: ms(sync.safety.holdExpiresAfter as ms.StringValue),
      };
      const { config, client } = await open(runId);
      const status = await readState(runId, client, importId);
      const counts = status.previewCounts;
      if (!counts) {
        if (config.mode === 'full') {
          throw ApplicationFailure.nonRetryable(
            `Staffbase reported no preview counts for import ${importId}; a full import is not run blind`,
            'SafetyRuleTripped',
          );
        }
        // Delta mode: every deactivation is a row of our own file, from a leaver the source reported.
        return { counts: null, tripped: [], ...hold };
      }
      await deps.store.runs.updateDelivery(runId, { counts: { ...counts } });
      const removed = counts.deactivated + counts.deleted;
      const total = counts.created + counts.updated + counts.deactivated + counts.deleted + counts.unchanged;
      const percent = total === 0 ? 0 : (removed / total) * 100;
      const { maxDeactivations, maxDeactivationPercent } = config.safety;
      if ((maxDeactivations !== undefined && removed > maxDeactivations) || percent > maxDeactivationPercent) {
        // Counts only: the reason goes into workflow history, the run record and the CLI.
        const reason =
          `The Staffbase preview would deactivate or delete ${removed} of ${total} users (${percent.toFixed(1)}%), ` +
          `over the limit (${maxDeactivations === undefined ? '' : `${maxDeactivations} users, `}${maxDeactivationPercent}%)`;
        if (sync.safety.onPreviewTrip === 'hold') return { counts, tripped: [reason], ...hold };
        throw ApplicationFailure.nonRetryable(`${reason}; nothing was imported`, 'SafetyRuleTripped');
      }
      return { counts, tripped: [], ...hold };
    },

    async requestStaffbaseImport({ runId, importId }: StaffbaseStepInput): Promise<void> {
      const { client } = await open(runId);
      const status = await readState(runId, client, importId);
      if (PAST_IMPORT_REQUEST.includes(status.state)) return;
      if (status.state !== 'PREVIEW_READY') {
        throw ApplicationFailure.nonRetryable(
          `Staffbase import ${importId} is ${status.state}; an import needs PREVIEW_READY`,
          'ImportStateUnexpected',
        );
      }
      await requestImport(client, importId);
    },

    /** Keeps Staffbase's per-row error report as an artifact of the run and counts its rows. */
    async fetchStaffbaseErrors({ runId, importId }: StaffbaseStepInput): Promise<{ errorRows: number | null }> {
      const { client, syncId } = await open(runId);
      const report = await getImportErrors(client, importId).catch(async (err: unknown) => {
        // The import has run by now: a report Staffbase will not give does not undo it, so it must not
        // fail the run (which would also drop the run's safety baseline). Transient errors still retry.
        if (!(err instanceof RosterflowError) || err.retryable) throw err;
        await deps.store.runs.addEvent(runId, {
          at: new Date(),
          step: 'deliver',
          kind: 'error-report-unavailable',
          detail: `Staffbase import ${importId} finished, but its error report could not be read (${err.type})`,
        });
        return undefined;
      });
      if (report === undefined) return { errorRows: null };
      const errorRows = report.trim() === '' ? 0 : Math.max(0, report.trim().split('\n').length - 1);
      const writer = await deps.store.artifacts.openWriter('staffbase-errors.csv', { runId, syncId });
      await new Promise<void>((resolve, reject) => writer.stream.end(report, () => resolve()).on('error', reject));
      const final = await readState(runId, client, importId);
      await deps.store.runs.updateDelivery(runId, {
        counts: { ...(final.importCounts ?? {}), errorRows },
        errorReport: { artifactId: writer.id, rows: errorRows },
      });
      return { errorRows };
    },
  };
}
