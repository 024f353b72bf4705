import { readSetting } from '../core/env';
import { homeDir } from '../tools/stack/paths';
import { readStackState } from '../tools/stack/state';
import type { AlertRequest } from './alert';

/**
 * The Temporal Web UI's base URL for links in alerts: ROSTERFLOW_WEB_UI_URL, else the UI of a local
 * stack running from this folder, else none (the alert then carries no link rather than a wrong one).
 */
export async function webUiBaseUrl(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const configured = readSetting(env, 'ROSTERFLOW_WEB_UI_URL') ?? (await readStackState(homeDir(env)))?.uiUrl;
  return configured ? configured.replace(/\/+$/, '') : undefined;
}

/** A run's event history in the Web UI. */
export function runHistoryUrl(baseUrl: string, namespace: string, run: { workflowId: string; runId: string }): string {
  const part = encodeURIComponent;
  return `${baseUrl}/namespaces/${part(namespace)}/workflows/${part(run.workflowId)}/${part(run.runId)}/history`;
}

/** A `rosterflow` command that answers an alert, and what it is for ("see who would be deactivated"). */
export interface AlertCommand {
  purpose: string;
  command: string;
}

/** The commands that answer an alert: see who, decide, look closer, run again. */
export function commandsFor(alert: AlertRequest): AlertCommand[] {
  const { syncId, run } = alert;
  if (!run) {
    return [
      { purpose: 'see its latest runs', command: `rosterflow history ${syncId}` },
      { purpose: 'check its schedule', command: 'rosterflow schedules list' },
      { purpose: 'run it now', command: `rosterflow run ${syncId}` },
    ];
  }
  const details = { purpose: 'see the run in detail', command: `rosterflow history --run ${run.runId}` };
  switch (alert.kind) {
    case 'held':
      return [
        { purpose: 'see who would be deactivated', command: `rosterflow holds ${syncId}` },
        { purpose: 'approve', command: `rosterflow approve ${run.workflowId} --reason "<why>"` },
        { purpose: 'reject', command: `rosterflow reject ${run.workflowId} --reason "<why>"` },
      ];
    case 'failed':
      return [details, { purpose: 'try again now', command: `rosterflow run ${syncId}` }];
    case 'partial':
      return [{ purpose: 'see which rows were refused', command: `rosterflow history --run ${run.runId}` }];
    case 'unusual-change':
      return [{ purpose: 'see who changed', command: `rosterflow report ${run.runId}` }, details];
    case 'stale':
      return [details];
  }
}
