import { PassThrough } from 'node:stream';
import { ActivityFailure, RetryState } from '@temporalio/common';
import { LogTimestamp } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { toApplicationFailure } from '../../activities/failures';
import { runFailure } from '../../core/failure-summary';
import { RosterflowError } from '../../core/errors';
import { createWorkerLogger, logSettingsFromEnv, toLogEntry } from '../../worker/logger';
import type { LogSettings } from '../../worker/logger';

const now = new Date('2026-12-04T10:00:00.000Z');
/** What the SDK puts on an activity's lines, with what worker/log-context.ts adds. */
const activity = {
  activityType: 'resolveSync',
  attempt: 3,
  workflowId: 'rosterflow-acme-people-cli-1',
  workflowRunId: '0193a1b2-run',
  taskToken: 'CiQ4ZGQ0...',
  namespace: 'default',
  taskQueue: 'rosterflow',
  isLocal: false,
  activityId: '2',
  workflowType: 'syncRoster',
  sdkComponent: 'worker',
  syncId: 'acme-people',
  step: 'resolve',
};
const secretUnavailable = () =>
  toApplicationFailure(
    new RosterflowError('SecretUnavailable', 'source.serviceUserToken: HIBOB_TOKEN is not set'),
    'resolve',
  );

/** Every line a logger with `settings` writes while `use` runs. */
async function written(settings: LogSettings, use: (logger: ReturnType<typeof createWorkerLogger>) => void) {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  use(createWorkerLogger(settings, out));
  await new Promise((resolve) => setImmediate(resolve));
  return text.trimEnd().split('\n');
}

describe('a worker log entry', () => {
  it('an expected activity failure: one message with its type, the run ids first, no stack or task token', () => {
    const entry = toLogEntry('Activity failed', { ...activity, error: secretUnavailable(), durationMs: 12 }, now);
    expect(entry.msg).toBe('Activity failed: SecretUnavailable: source.serviceUserToken: HIBOB_TOKEN is not set');
    expect(entry.fields).toEqual({
      time: '2026-12-04T10:00:00.000Z',
      runId: '0193a1b2-run',
      workflowId: 'rosterflow-acme-people-cli-1',
      syncId: 'acme-people',
      step: 'resolve',
      activityType: 'resolveSync',
      attempt: 3,
      durationMs: 12,
      errorType: 'SecretUnavailable',
    });
    expect(Object.keys(entry.fields).slice(0, 7)).toEqual([
      'time',
      'runId',
      'workflowId',
      'syncId',
      'step',
      'activityType',
      'attempt',
    ]);
  });

  it('a bug keeps its stack, paths relative to the checkout, but not the message that may quote data', () => {
    const error = toApplicationFailure(new TypeError("Cannot read properties of undefined (reading 'id')"), 'resolve');
    const entry = toLogEntry('Activity failed', { ...activity, error }, now);
    expect(entry.msg).toBe('Activity failed: Unexpected: resolve failed unexpectedly (TypeError)');
    expect(entry.fields['errorType']).toBe('Unexpected');
    const { stack } = entry.fields['error'] as { stack: string };
    expect(stack).toMatch(
      /^Unexpected: resolve failed unexpectedly \(TypeError\)\n\s+at .*test\/unit\/worker-logger\.test\.ts:\d+/,
    );
    const line = JSON.stringify(entry);
    expect(line).not.toContain(process.cwd());
    expect(line).not.toContain('reading');
    expect(line).not.toContain('taskToken');
  });

  it("a run's failure, copied across the workflow thread without its type, is still one line led by its type", () => {
    const failed = new ActivityFailure(
      'Activity task failed',
      'resolveSync',
      '2',
      RetryState.NON_RETRYABLE_FAILURE,
      undefined,
      secretUnavailable(),
    );
    // What the workflow thread's copy keeps of an error: its message and stack, not its `type`.
    const copy = structuredClone(runFailure(failed) as Error);
    expect((copy as { type?: string }).type).toBeUndefined();
    const entry = toLogEntry(
      'Workflow failed',
      { workflowId: 'w', runId: 'r', syncId: 'acme-hibob', error: copy },
      now,
    );
    expect(entry.msg).toBe('Workflow failed: SecretUnavailable: source.serviceUserToken: HIBOB_TOKEN is not set');
    expect(entry.fields).toEqual({
      time: now.toISOString(),
      runId: 'r',
      workflowId: 'w',
      syncId: 'acme-hibob',
      errorType: 'SecretUnavailable',
    });
  });

  it('never shows task tokens, arguments, results, payloads or a dump of the task, in any spelling', () => {
    const entry = toLogEntry(
      'Error while processing ActivityTask.start',
      {
        task: '{"start":{"input":[{"data":"eyJuYW1lIjoiQWRhIn0="}]}}',
        taskEncoded: 'CgR0ZXN0',
        task_token: 'abc',
        input: { name: 'Ada Lovelace' },
        args: ['ada@example.com'],
        result: { rows: 3 },
        payloads: [],
        heartbeatDetails: { cursor: 'Lovelace' },
        activityType: 'buildArtifacts',
      },
      now,
    );
    expect(entry.fields).toEqual({ time: now.toISOString(), activityType: 'buildArtifacts' });
  });

  it("takes the SDK's own timestamp when it has one (core lines and workflow lines arrive late)", () => {
    const at = BigInt(Date.parse('2026-12-04T09:59:58.123Z')) * 1_000_000n + 456n;
    const entry = toLogEntry('Failing workflow task', { [LogTimestamp]: at, target: 'temporal_sdk_core' }, now);
    expect(entry.fields).toEqual({ time: '2026-12-04T09:59:58.123Z', target: 'temporal_sdk_core' });
  });
});

describe('the worker logger', () => {
  it('writes one JSON object a line, the level as its name, nothing under the level it is set to', async () => {
    const lines = await written({ level: 'info', format: 'json' }, (logger) => {
      logger.debug('Activity started', activity);
      logger.info('rosterflow worker: task queue rosterflow, config /etc/rosterflow.yaml');
      logger.warn('Activity failed', { ...activity, error: secretUnavailable() });
    });
    expect(lines).toHaveLength(2);
    const [start, failure] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(start).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
      msg: 'rosterflow worker: task queue rosterflow, config /etc/rosterflow.yaml',
    });
    expect(failure).toMatchObject({
      level: 'warn',
      runId: '0193a1b2-run',
      syncId: 'acme-people',
      step: 'resolve',
      attempt: 3,
      errorType: 'SecretUnavailable',
    });
    expect(lines[1]).not.toContain('taskToken');
  });

  it('pretty: one readable line an entry; a bug adds its stack on the lines after it', async () => {
    const lines = await written({ level: 'info', format: 'pretty' }, (logger) => {
      logger.warn('Activity failed', { ...activity, error: secretUnavailable() });
      logger.warn('Activity failed', { ...activity, error: toApplicationFailure(new TypeError('x'), 'resolve') });
    });
    expect(lines[0]).toMatch(
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] WARN: Activity failed: SecretUnavailable: source\.serviceUserToken: HIBOB_TOKEN is not set \{"runId":"0193a1b2-run",.*"syncId":"acme-people","step":"resolve",.*"attempt":3,/,
    );
    expect(lines[1]).toMatch(/WARN: Activity failed: Unexpected: resolve failed unexpectedly \(TypeError\) \{/);
    expect(lines.slice(2).join('\n')).toMatch(/^\s+error: \{[\s\S]*\n\s+at .*worker-logger\.test\.ts:\d+/);
  });
});

describe('the log settings', () => {
  it('default to JSON from the level the process chooses; take either setting in any case', () => {
    expect(logSettingsFromEnv({})).toEqual({ level: 'info', format: 'json' });
    expect(logSettingsFromEnv({ ROSTERFLOW_LOG_LEVEL: '' }, 'warn')).toEqual({ level: 'warn', format: 'json' });
    expect(logSettingsFromEnv({ ROSTERFLOW_LOG_LEVEL: 'DEBUG', ROSTERFLOW_LOG_FORMAT: 'Pretty' })).toEqual({
      level: 'debug',
      format: 'pretty',
    });
  });

  it.each([
    [
      'ROSTERFLOW_LOG_LEVEL',
      'loud',
      'ROSTERFLOW_LOG_LEVEL must be one of trace, debug, info, warn, error (got "loud")',
    ],
    ['ROSTERFLOW_LOG_FORMAT', 'text', 'ROSTERFLOW_LOG_FORMAT must be one of json, pretty (got "text")'],
  ])('refuses a bad %s in one sentence naming it', (name, value, sentence) => {
    expect(() => logSettingsFromEnv({ [name]: value })).toThrow(new RosterflowError('InvalidConfig', sentence));
  });
});
