import type { ScheduleDescription } from '@temporalio/client';
import ms from 'ms';
import { CRON_MEMO } from './desired';

/** What `apply` sets on a schedule, side by side for the config and for Temporal. */
export interface ScheduleSettings {
  /** As written in the config; undefined for a schedule applied before rosterflow recorded it. */
  cron: string | undefined;
  timezone: string;
  catchupWindowMs: number;
  overlap: string | undefined;
  pauseOnFailure: boolean;
  workflowType: string;
  taskQueue: string | undefined;
  workflowId: string | undefined;
  args: unknown;
  summary: string | undefined;
  paused: boolean;
}

export interface SettingChange {
  setting: keyof ScheduleSettings;
  from: string;
  to: string;
}

/** A schedule's settings as Temporal describes them. */
export function currentSettings(description: ScheduleDescription): ScheduleSettings {
  const { action, spec, policies, state } = description;
  const cron = action.memo?.[CRON_MEMO];
  return {
    cron: typeof cron === 'string' ? cron : undefined,
    timezone: spec.timezone || 'UTC',
    catchupWindowMs: policies.catchupWindow,
    overlap: policies.overlap,
    pauseOnFailure: policies.pauseOnFailure,
    workflowType: action.workflowType,
    taskQueue: action.taskQueue,
    workflowId: action.workflowId,
    args: action.args,
    summary: action.staticSummary,
    paused: state.paused,
  };
}

/**
 * The settings that differ, each with its value before and after. `paused` is left out unless asked
 * for: a pause made in Temporal (Web UI, `schedules pause`) is not a difference from the config.
 */
export function changedSettings(
  current: ScheduleSettings,
  desired: ScheduleSettings,
  options: { includePaused: boolean },
): SettingChange[] {
  const changes: SettingChange[] = [];
  for (const setting of Object.keys(desired) as (keyof ScheduleSettings)[]) {
    if (setting === 'paused' && !options.includePaused) continue;
    const from = current[setting];
    const to = desired[setting];
    if (sameSetting(setting, from, to)) continue;
    changes.push({ setting, from: showSetting(setting, from), to: showSetting(setting, to) });
  }
  return changes;
}

function sameSetting(setting: keyof ScheduleSettings, a: unknown, b: unknown): boolean {
  // Temporal keeps durations to the second.
  if (setting === 'catchupWindowMs') return Math.round(Number(a) / 1000) === Math.round(Number(b) / 1000);
  return JSON.stringify(a) === JSON.stringify(b);
}

function showSetting(setting: keyof ScheduleSettings, value: unknown): string {
  // Set by an older apply that did not record the cron as written.
  if (value === undefined) return setting === 'cron' ? '(not recorded)' : '(none)';
  switch (setting) {
    case 'catchupWindowMs':
      return ms(Number(value));
    case 'paused':
    case 'pauseOnFailure':
      return value ? 'yes' : 'no';
    case 'cron':
    case 'summary':
      return JSON.stringify(value);
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** `timezone Europe/Berlin -> Asia/Kolkata` */
export function describeChange(change: SettingChange): string {
  const name = change.setting === 'catchupWindowMs' ? 'catchupWindow' : change.setting;
  return `${name} ${change.from} -> ${change.to}`;
}
