import { ApplicationFailure } from '@temporalio/common';
import type { LogLevel, LogMetadata, Logger, RuntimeOptions } from '@temporalio/worker';

const LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/**
 * Attributes the SDK adds to every activity line that say nothing to an operator: the task token
 * (an opaque credential for completing the task) and what is the same on every line of a worker.
 */
const NOT_SHOWN = new Set(['taskToken', 'sdkComponent', 'namespace', 'taskQueue', 'isLocal', 'workflowType']);

/**
 * The worker's log: one line per entry. An activity that failed with one of our classified
 * failures (see activities/failures.ts) is one line, its type and message, with no stack and no
 * task token; the SDK would print a block of metadata and a stack trace for each retry. An
 * unexpected failure (a bug) keeps its stack, which is what its report needs.
 */
export function createWorkerLogger(
  level: LogLevel = 'INFO',
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Logger {
  const threshold = LEVELS.indexOf(level);
  const log = (entryLevel: LogLevel, message: string, meta?: LogMetadata) => {
    if (LEVELS.indexOf(entryLevel) >= threshold) write(formatLogEntry(entryLevel, message, meta ?? {}));
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
 * Runtime options for a rosterflow worker process: our logger, and the SDK core's own lines (which
 * it would print in its own coloured format) forwarded to it.
 */
export function workerRuntimeOptions(level: LogLevel): Pick<RuntimeOptions, 'logger' | 'telemetryOptions'> {
  return {
    logger: createWorkerLogger(level),
    telemetryOptions: { logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } } },
  };
}

export function formatLogEntry(level: LogLevel, message: string, meta: LogMetadata, now = new Date()): string {
  const { error, ...rest } = meta as { error?: unknown } & Record<string, unknown>;
  const prefix = `${now.toISOString()} ${level.padEnd(5)}`;
  const expected = expectedFailure(error);
  if (message === 'Activity failed' && expected) {
    const where = typeof rest['workflowId'] === 'string' ? ` (workflow ${rest['workflowId']})` : '';
    return `${prefix} ${String(rest['activityType'])} attempt ${String(rest['attempt'])} failed: ${expected}${where}`;
  }
  const fields = Object.entries(rest)
    .filter(([key]) => !NOT_SHOWN.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : safeJson(value)}`);
  const line = [`${prefix} ${message}`, ...fields].join(' ');
  if (error === undefined) return line;
  if (expected) return `${line} error=${JSON.stringify(expected)}`;
  return `${line}\n${error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : safeJson(error)}`;
}

/** "Type: message" of a classified failure; undefined for anything else, a bug included. */
function expectedFailure(error: unknown): string | undefined {
  if (!(error instanceof ApplicationFailure) || !error.type || error.type === 'Unexpected') return undefined;
  return `${error.type}: ${error.message}`;
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
