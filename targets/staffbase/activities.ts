import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { RosterflowError } from '../../core/errors';
import ms from 'ms';
import { createSecretResolver } from '../../io/secrets';
import type { HttpClient } from '../../io/http';
import type { StaffbaseTargetConfig } from './config';
import { pollingDelaysMs } from './config';
import {
  assertKnownState,
  buildImportConfig,
  cancelImport,
  configureImport,
  createStaffbaseHttpClient,
  ensureImport,
  findImportByFileName,
  getImport,
  getImportErrors,
  requestImport,
  requestPreview,
  staffbaseImportFileName,
} from './client';
import type { StaffbaseImportCounts, StaffbaseImportState } from './client';
import { parseStaffbaseErrorReport } from './error-report';
import { staffbaseHeaders } from './layout';
import { judgeStaffbasePreview } from './preview-check';
import type { VendorRefusalSummary } from '../../store/run-record';
import type { ActivityDeps } from '../../activities/deps';
import { withKeepAlive } from '../../activities/keep-alive';
import { loadRunSync } from '../../activities/load-run-sync';
import type { RenderResult } from '../../activities/build-checkpoint';
import { toApplicationFailure } from '../../activities/failures';
import { runStep } from '../../activities/step';
import { artifactSource } from '../sdk/artifact-source';

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
/** Attempts of cancelStaffbaseImport (its retry policy in targets/staffbase/delivery.ts allows as many). */
const CANCEL_ATTEMPTS = 3;
/** States before an import starts, which a run that will not import may cancel. */
const CANCELLABLE: readonly StaffbaseImportState[] = ['DRAFT', 'PREVIEW_PENDING', 'CREATING_PREVIEW', 'PREVIEW_READY'];

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

  /** The import an upload that failed may still have created (an answer without its id, say). */
  const findThisRunsImport = async (runId: string): Promise<string | undefined> => {
    try {
      const { client, syncId } = await open(runId);
      return await findImportByFileName(client, staffbaseImportFileName(syncId, runId));
    } catch {
      return undefined; // nothing known to be stranded
    }
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
        const csv = artifactSource(deps, artifact);
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
     * Applies the target's safety rules to the preview before anything is imported
     * (targets/staffbase/preview-check.ts): too many deactivations (deletions of pending users count
     * too) fail the run, and nothing changes; or, when the sync says `safety.onPreviewTrip: hold`,
     * come back as `tripped` so the workflow holds the run for an operator (workflows/hold.ts) with
     * the import waiting in PREVIEW_READY. Whatever counts Staffbase reported go into the run record.
     */
    async checkStaffbasePreview({ runId, importId }: StaffbaseStepInput): Promise<StaffbasePreviewCheck> {
      const sync = await loadRunSync(deps, runId);
      const hold = {
        holdExpiresAfter: sync.safety.holdExpiresAfter,
        holdExpiresAfterMs: ms(sync.safety.holdExpiresAfter as ms.StringValue),
      };
      const { config, client } = await open(runId);
      const status = await readState(runId, client, importId);
      const counts = status.previewCounts ?? null;
      if (counts) await deps.store.runs.updateDelivery(runId, { preview: { ...counts } });
      const run = await deps.store.runs.get(runId);
      const fileRows = status.recordCount ?? run?.artifacts?.[0]?.rows ?? 0;
      const check = judgeStaffbasePreview({
        importId,
        counts: status.previewCounts,
        fileRows,
        mode: config.mode,
        safety: config.safety,
      });
      // Counts only: a reason goes into workflow history, the run record and the CLI.
      if (check.verdict === 'unknown') throw ApplicationFailure.nonRetryable(check.reason, 'SafetyRuleTripped');
      if (check.verdict === 'pass') return { counts, tripped: [], ...hold };
      if (sync.safety.onPreviewTrip === 'hold') return { counts, tripped: [check.reason], ...hold };
      throw ApplicationFailure.nonRetryable(`${check.reason}; nothing was imported`, 'SafetyRuleTripped');
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

    /**
     * Records what the import did (its result counts) and keeps Staffbase's per-row error report as
     * an artifact of the run; the rows it names (line, identifier, code) go into the run record, and
     * their summary back to the workflow, which ends the run `partial` when there are any.
     */
    async fetchStaffbaseErrors({
      runId,
      importId,
    }: StaffbaseStepInput): Promise<{ refused: VendorRefusalSummary | null }> {
      const { client, syncId } = await open(runId);
      const final = await readState(runId, client, importId);
      if (final.importCounts) await deps.store.runs.updateDelivery(runId, { result: { ...final.importCounts } });
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
      if (report === undefined) return { refused: null };
      const refusals = parseStaffbaseErrorReport(report);
      const writer = await deps.store.artifacts.openWriter('staffbase-errors.csv', { runId, syncId });
      await new Promise<void>((resolve, reject) => writer.stream.end(report, () => resolve()).on('error', reject));
      await deps.store.runs.updateDelivery(runId, { errorReport: { artifactId: writer.id, rows: refusals.count } });
      if (refusals.count === 0) return { refused: null };
      await deps.store.runs.setVendorRefusals(runId, refusals);
      const { rows: _rows, ...summary } = refusals;
      return { refused: summary };
    },

    /**
     * Leaves no import of a run that will not import stranded in DRAFT or PREVIEW_READY: cancels it
     * (targets/staffbase/client.ts cancelImport) and records that, or records why it could not. Never
     * throws: the run's own failure is what the operator must see. Without an import id (the upload
     * step failed), it looks for this run's import by its file name, and says nothing if none is found.
     */
    async cancelStaffbaseImport(input: { runId: string; importId?: string }): Promise<{ cancelled: boolean }> {
      const { runId } = input;
      const importId = input.importId ?? (await findThisRunsImport(runId));
      if (importId === undefined) return { cancelled: false };
      const note = (kind: string, detail: string) =>
        deps.store.runs.addEvent(runId, { at: new Date(), step: 'deliver', kind, detail });
      try {
        const { client } = await open(runId);
        const status = await readState(runId, client, importId);
        if (status.state === 'CANCELLED' || status.state === 'COMPLETED') return { cancelled: false };
        if (!CANCELLABLE.includes(status.state)) {
          await note(
            'import-not-cancelled',
            `Staffbase import ${importId} is ${status.state} (already importing) and was left to finish`,
          );
          return { cancelled: false };
        }
        await cancelImport(client, importId);
        await note('import-cancelled', `Staffbase import ${importId} was cancelled (it was ${status.state})`);
        // The new state in the record's timeline too; a read that fails now changes nothing.
        await readState(runId, client, importId).catch(() => undefined);
        return { cancelled: true };
      } catch (err) {
        // A passing outage gets the activity's few retries; after those, or for a refusal, say so.
        const transient = err instanceof RosterflowError && err.retryable;
        if (transient && activityInfo().attempt < CANCEL_ATTEMPTS) throw toApplicationFailure(err, 'deliver');
        const why = err instanceof RosterflowError ? `${err.type}: ${err.message}` : 'an unexpected error';
        await note('import-cancel-refused', `Staffbase import ${importId} could not be cancelled (${why})`);
        return { cancelled: false };
      }
    },
  };
}

/** What this target's workflow code (delivery.ts) proxies. */
export type StaffbaseActivities = ReturnType<typeof createStaffbaseActivities>;
