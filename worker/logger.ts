import { LogTimestamp } from '@temporalio/worker';
import type { LogLevel, LogMetadata, Logger, RuntimeOptions } from '@temporalio/worker';
import pino from 'pino';
import type { DestinationStream } from 'pino';
import pretty from 'pino-pretty';
import { z } from 'zod';
import { readSetting } from '../core/env';
import { RosterflowError } from '../core/errors';

export const LOG_LEVEL_ENV = 'ROSTERFLOW_LOG_LEVEL';
export const LOG_FORMAT_ENV = 'ROSTERFLOW_LOG_FORMAT';

const LevelSchema = z.enum(['trace', 'debug', 'info', 'warn', 'error']);
const FormatSchema = z.enum(['json', 'pretty']);
export type LogLevelName = z.infer<typeof LevelSchema>;
export type LogFormat = z.infer<typeof FormatSchema>;

export interface LogSettings {
  level: LogLevelName;
  /** `json`: one JSON object a line, for a log pipeline; `pretty`: one readable line, for a person. */
  format: LogFormat;
}

/** ROSTERFLOW_LOG_LEVEL and ROSTERFLOW_LOG_FORMAT; a bad value is one sentence naming the setting. */
export function logSettingsFromEnv(
  env: NodeJS.ProcessEnv,
  defaultLevel: LogLevelName = 'info',
  defaultFormat: LogSettings['format'] = 'json',
): LogSettings {
  return {
    level: setting(env, LOG_LEVEL_ENV, LevelSchema) ?? defaultLevel,
    format: setting(env, LOG_FORMAT_ENV, FormatSchema) ?? defaultFormat,
  };
}

function setting<T extends string>(
  env: NodeJS.ProcessEnv,
  name: string,
  schema: z.ZodEnum<Record<T, T>>,
): T | undefined {
  const text = readSetting(env, name);
  if (text === undefined) return undefined;
  const parsed = schema.safeParse(text.trim().toLowerCase());
  if (parsed.success) return parsed.data;
  throw new RosterflowError('InvalidConfig', `${name} must be one of ${schema.options.join(', ')} (got "${text}")`);
}

/**
 * The worker's logger, for the Temporal Runtime (which routes the SDK's, its core's, the
 * workflows' and the activities' lines through it) and for the worker's own lines. Each entry goes
 * through `toLogEntry` (what a line may show) and pino (the format): on stdout unless `destination`.
 */
export function createWorkerLogger(settings: LogSettings, destination?: NodeJS.WritableStream): Logger {
  const stream: DestinationStream =
    settings.format === 'pretty'
      ? pretty({
          destination: destination ?? 1,
          sync: true,
          singleLine: true,
          colorize: destination === undefined && pretty.isColorSupported,
          translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
        })
      : (destination ?? pino.destination({ dest: 1, sync: true }));
  const output = pino(
    {
      level: settings.level,
      // The time is each entry's own (the SDK's, when it has one), set by toLogEntry; no pid or hostname.
      timestamp: false,
      base: null,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const name = level.toLowerCase() as LogLevelName;
    if (!output.isLevelEnabled(name)) return;
    const { msg, fields } = toLogEntry(message, meta);
    output[name](fields, msg);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

/**
 * Runtime options for a rosterflow worker process: the logger ROSTERFLOW_LOG_LEVEL (else
 * `defaultLevel`) and ROSTERFLOW_LOG_FORMAT describe, and the SDK core's own lines (from WARN up)
 * forwarded to it. The returned `logger` is for the worker's own lines too.
 */
export function workerRuntimeOptions(
  defaultLevel: LogLevel,
  env: NodeJS.ProcessEnv = process.env,
  /** `pretty` where a person reads it (`rosterflow dev`); a worker's default is JSON, for a log pipeline. */
  defaultFormat: LogSettings['format'] = 'json',
): { logger: Logger; telemetryOptions: NonNullable<RuntimeOptions['telemetryOptions']> } {
  const settings = logSettingsFromEnv(env, defaultLevel.toLowerCase() as LogLevelName, defaultFormat);
  return {
    logger: createWorkerLogger(settings),
    telemetryOptions: {
      logging: { forward: {}, filter: { core: settings.level === 'error' ? 'ERROR' : 'WARN', other: 'ERROR' } },
    },
  };
}

/**
 * Never on a line: the task token (a credential for completing the task) and whatever could carry
 * employee data (activity arguments and results, payloads, the SDK's dump of a task it could not
 * start). Compared without case, `_` or `-`, so the core's snake_case fields match too.
 */
const NEVER_SHOWN = new Set([
  'tasktoken',
  'task',
  'taskencoded',
  'input',
  'args',
  'arguments',
  'result',
  'payload',
  'payloads',
  'details',
  'heartbeatdetails',
  'headers',
  'memo',
  // The SDK's trace lines of a task it got or completed: they nest the activity's arguments, the
  // workflow's input, signal and update arguments, and activity results.
  'start',
  'jobs',
  'activation',
  'completion',
  'successful',
  'commands',
]);
/** The same on every line of one worker: left out, for short lines. */
const NOT_SHOWN = new Set(['sdkcomponent', 'namespace', 'taskqueue', 'islocal', 'workflowtype', 'activityid']);
/** First on a line, in this order: what an operator looks a run up by. */
const LEADING = ['runId', 'workflowId', 'syncId', 'step', 'activityType', 'attempt'];

export interface LogEntry {
  msg: string;
  fields: Record<string, unknown>;
}

/**
 * What one log entry shows. The run id is `runId` on every line (the SDK names it `workflowRunId`
 * on activity lines). An error becomes part of the message: an expected failure (a classified
 * `ApplicationFailure`, see activities/failures.ts, or a run's failure led by its type) is its
 * type and message on the one line; anything else, a bug, adds its stack.
 */
export function toLogEntry(message: string, meta: LogMetadata = {}, now: Date = new Date()): LogEntry {
  const {
    [LogTimestamp]: nanos,
    error,
    workflowRunId,
    ...attributes
  } = meta as LogMetadata & {
    [LogTimestamp]?: unknown;
    error?: unknown;
    workflowRunId?: unknown;
  };
  const time = typeof nanos === 'bigint' ? new Date(Number(nanos / 1_000_000n)) : now;
  const shown = Object.fromEntries(
    Object.entries(workflowRunId === undefined ? attributes : { ...attributes, runId: workflowRunId })
      .filter(([key]) => !NEVER_SHOWN.has(normalKey(key)) && !NOT_SHOWN.has(normalKey(key)))
      .map(([key, value]) => [key, typeof value === 'bigint' ? String(value) : value]),
  );
  const leading = Object.fromEntries(LEADING.filter((key) => key in shown).map((key) => [key, shown[key]]));
  const fields: Record<string, unknown> = { time: time.toISOString(), ...leading, ...shown };
  if (error === undefined) return { msg: message, fields };
  const { type, summary, stack } = describeError(error);
  if (type !== undefined) fields['errorType'] = type;
  // A bug's stack under `error`, which pino-pretty prints on the lines that follow.
  if (stack !== undefined) fields['error'] = { type, message: summary.slice(`${type}: `.length), stack };
  return { msg: `${message}: ${summary}`, fields };
}

function normalKey(key: string): string {
  return key.replace(/[_-]/g, '').toLowerCase();
}

/** An error's type when it has one, its one-line summary ("Type: message"), and the stack of a bug. */
function describeError(error: unknown): { type?: string; summary: string; stack?: string } {
  if (!(error instanceof Error)) return { summary: typeof error === 'string' ? error : safeJson(error) };
  const own = (error as { type?: unknown }).type;
  const classified = typeof own === 'string' && own !== '' && own !== 'Unexpected';
  // A workflow's failure reaches the worker as a plain copy of the error (it crosses a thread):
  // a run's failure still leads its message with its type (core/failure-summary.ts runFailure).
  const type =
    typeof own === 'string' && own !== '' ? own : (/^([A-Z][A-Za-z]+): /.exec(error.message)?.[1] ?? error.name);
  const summary = error.message.startsWith(`${type}: `) ? error.message : `${type}: ${error.message}`;
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  // Nothing more to show for an expected failure, nor for one whose stack was taken off on purpose.
  if (classified || frames.length === 0) return { type, summary };
  return { type, summary, stack: [summary, ...frames].join('\n') };
}

function safeJson(value: unknown): string {
  try {
    return (
      JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? String(item) : item)) ?? 'undefined'
    );
  } catch {
    return String(value);
  }
}
