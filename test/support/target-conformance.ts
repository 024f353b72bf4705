import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRejection } from '../../cli/format';
import { TARGET_DEFINITIONS } from '../../targets';
import type { TargetDefinition } from '../../targets';
import { finishRun, startRun } from './conformance-run';
import type { ConformanceRun, FakeReadings } from './conformance-run';
import { badRowsRoster, readExampleRoster } from './conformance-roster';
import { exampleConfig } from './example-config';
import { startHarness } from './harness';
import type { Harness } from './harness';
import { historyText } from './history-text';
import { startWorkerProcess, waitFor } from './worker-process';
import type { WorkerProcess } from './worker-process';

/** A delivery the fake keeps from finishing, so its worker can be killed while it is in flight. */
export interface DeliveryHold {
  /** True once the delivery is under way and held (the fake has the request, half the file, a polled import). */
  reached(): boolean | Promise<boolean>;
  /** Lets go of what is held and holds nothing more. */
  release(): void | Promise<void>;
}

/** How the kit drives one target and reads its fake: each target's conformance test writes one. */
export interface TargetConformanceAdapter<Fake> extends FakeReadings<Fake> {
  /** The target's `type`; its definition must be in TARGETS (targets/index.ts). */
  type: string;
  start(): Promise<Fake>;
  close(fake: Fake): Promise<void>;
  /** The sync's `target:` delivering to this fake. */
  target(fake: Fake): Record<string, unknown>;
  /** What the target's secret references read, for the test's worker and the worker processes. */
  env?: Record<string, string>;
  /**
   * A column of the example export (examples/data/acme-hr-export.csv) the target cannot take blank;
   * default `Employee ID`, which every sync requires.
   */
  requiredColumn?: string;
  /**
   * Who the target holds after the latest delivery, each by the work email or employee id it keys
   * people by: the data rows of the last file it received, or the users present (per-record targets).
   */
  received(fake: Fake): readonly string[] | Promise<readonly string[]>;
  /**
   * How many people `received` lists after the example roster's delivery, when that is not one per
   * rendered employee (a per-record target that creates no account for a leaver it renders).
   */
  expectedReceived?: number;
  /** Writes the target applied so far: files put in place, uploads or imports accepted, records written. */
  writes(fake: Fake): number | Promise<number>;
  /** Holds the next delivery, of run `runId`; called before any worker has picked that run up. */
  holdDelivery(fake: Fake, runId: string): DeliveryHold | Promise<DeliveryHold>;
  /** Before each run: clear what earlier runs left that would change this one's writes (users, a rate-limit window). */
  beforeRun?(fake: Fake): void | Promise<void>;
}

/** What a target's own tests beside the kit's get: its fake, the stack, and a run of the example roster. */
export interface ConformanceKit<Fake> {
  readonly fake: Fake;
  readonly harness: Harness;
  runExample(): Promise<ConformanceRun>;
}

const BAD_ROWS_FILE = 'conformance-bad-rows.csv';
const KILL_TIMEOUT_MS = 240_000;

/**
 * The checks every target passes, through the real stack (Temporal dev server, store, workers): the
 * example roster rendered into its layout and received; bad rows refused one by one, by line and
 * field; a recorded delivery; a worker killed mid-delivery without a second delivery; and no
 * employee data in workflow history. `more` adds the target's own tests on the same fake and stack.
 */
export function describeTargetConformance<Fake>(
  adapter: TargetConformanceAdapter<Fake>,
  more?: (kit: ConformanceKit<Fake>) => void,
): void {
  const example = readExampleRoster();
  const bad = badRowsRoster(example, adapter.requiredColumn ?? 'Employee ID');
  const syncs = { example: `${adapter.type}-example`, badRows: `${adapter.type}-bad-rows` };
  let definition: TargetDefinition;
  let fake: Fake;
  let harness: Harness;
  const run = async (syncId: string) =>
    finishRun(harness, adapter, fake, await startRun(harness, adapter, fake, syncId, harness.taskQueue));
  // Each scenario runs once, when a check first needs it, so any check can also run on its own.
  const clean = once(() => run(syncs.example));
  const badRows = once(() => run(syncs.badRows));
  const kit: ConformanceKit<Fake> = {
    get fake() {
      return fake;
    },
    get harness() {
      return harness;
    },
    runExample: () => run(syncs.example),
  };

  describe(`${adapter.type}: target conformance`, () => {
    beforeAll(async () => {
      definition = registeredTarget(adapter.type);
      fake = await adapter.start();
      Object.assign(process.env, adapter.env);
      harness = await startHarness('conformance');
      await writeFile(join(harness.dataDir, BAD_ROWS_FILE), bad.text);
      const config = exampleConfig();
      const source = config.syncs[0]!.source;
      const target = adapter.target(fake) as never;
      config.syncs = [
        { id: syncs.example, source, target },
        { id: syncs.badRows, source: { ...source, path: `data/${BAD_ROWS_FILE}` }, target, onRejectedRows: 'skip' },
      ];
      await harness.writeConfig(config);
    });
    afterAll(async () => {
      await harness?.close();
      if (fake !== undefined) await adapter.close(fake);
      for (const name of Object.keys(adapter.env ?? {})) delete process.env[name];
    });

    it('renders the example roster into its layout, and the fake receives every rendered employee', async () => {
      const { result, run: record, received } = await clean();
      const layouts = definition.layouts(definition.configSchema.parse(adapter.target(fake)));
      expect(record.artifacts!.map((artifact) => artifact.fileName)).toEqual(layouts.map((layout) => layout.fileName));
      for (const [at, layout] of layouts.entries()) {
        const artifact = record.artifacts![at]!;
        const bytes = await harness.store.artifacts.read(artifact.id);
        const [header, ...rows] = parse(bytes, { delimiter: layout.delimiter ?? ',' });
        expect(header, artifact.fileName).toEqual([...layout.headers]);
        expect(rows, artifact.fileName).toHaveLength(artifact.rows);
      }
      expect(result.pulled).toBe(example.rows.length);
      expect(result.rendered).toBeGreaterThan(0);
      expect(received).toHaveLength(adapter.expectedReceived ?? result.rendered);
      expect(new Set(received).size).toBe(received.length);
      for (const key of received) expect([...example.keys], key).toContain(key);
    });

    it('refuses bad rows one by one, each named by its line and field in one sentence, and delivers the rest', async () => {
      const reference = await clean();
      const { result, run: record, received } = await badRows();
      expect(result.status).toBe('succeeded');
      expect(result.rejected + result.renderRejected).toBe(3);
      expect(result.rendered).toBe(reference.result.rendered);
      expect(received).toEqual(reference.received);

      const layouts = definition.layouts(definition.configSchema.parse(adapter.target(fake)));
      const headers = alternatives(layouts.flatMap((layout) => layout.headers));
      const files = alternatives(layouts.map((layout) => layout.fileName));
      const sentences = [...record.rejections]
        .sort((a, b) => lineOf(a.row) - lineOf(b.row))
        .map((rejection) => formatRejection(rejection));
      expect(sentences).toHaveLength(3);
      expect(sentences[0]).toBe(`line ${bad.invalidEmailLine}: Work Email is not a valid email address`);
      expect(sentences[1]).toMatch(
        new RegExp(`^line ${bad.duplicateLine}: (${headers}) repeats a value an earlier row of (${files}) has$`),
      );
      const required = alternatives([adapter.requiredColumn ?? 'Employee ID', ...layouts.flatMap((l) => l.headers)]);
      expect(sentences[2]).toMatch(new RegExp(`^line ${bad.missingFieldLine}: (${required}) is required\\b[^\\n]*$`));
      for (const value of bad.personalData) expect(JSON.stringify(record.rejections)).not.toContain(value);
    });

    it('delivers to its fake, and the run records where', async () => {
      const { result, run: record, writes } = await clean();
      const location = definition.location(definition.configSchema.parse(adapter.target(fake)));
      expect(result).toMatchObject({ status: 'succeeded', delivered: { target: adapter.type, location } });
      expect(record).toMatchObject({
        status: 'succeeded',
        delivery: { target: adapter.type, location },
        steps: { deliver: { status: 'succeeded', attempt: 1 } },
      });
      expect(writes).toBeGreaterThan(0);
    });

    it(
      'resumes after its worker is killed mid-delivery, writing exactly what an uninterrupted run writes',
      async () => {
        const reference = await clean();
        const taskQueue = `${harness.taskQueue}-killed`;
        // No worker serves this queue yet: the hold is in place before the run can reach its delivery.
        const started = await startRun(harness, adapter, fake, syncs.example, taskQueue);
        const runId = started.handle.firstExecutionRunId;
        const hold = await adapter.holdDelivery(fake, runId);
        const doomed = await startWorkerProcess(harness, taskQueue, adapter.env);
        let rescuer: WorkerProcess | undefined;
        try {
          await waitFor(
            () => hold.reached(),
            `the ${adapter.type} delivery to be held in flight`,
            () => doomed.output(),
          );
          // Under way: the run's delivery has begun and not ended (a delivery of several activities may
          // be between two of them, so the deliver step itself may stand finished).
          const during = await harness.store.runs.get(runId);
          expect(during?.status).toBe('running');
          expect(during?.steps.deliver).toBeDefined();
          await doomed.kill('SIGKILL');
          await hold.release();
          rescuer = await startWorkerProcess(harness, taskQueue, adapter.env);
          const resumed = await finishRun(harness, adapter, fake, started);
          expect(resumed.result.status).toBe('succeeded');
          expect(resumed.writes).toBe(reference.writes);
          expect(resumed.received).toEqual(reference.received);
        } finally {
          await doomed.kill('SIGKILL');
          await rescuer?.kill('SIGTERM');
        }
      },
      KILL_TIMEOUT_MS,
    );

    it('keeps employee data out of workflow history', async () => {
      for (const { handle, result } of [await clean(), await badRows()]) {
        const text = await historyText(handle);
        // The sync id is only in the run's input payload: found, the payloads really were decoded.
        expect(text).toContain(`"syncId":"${result.syncId}"`);
        for (const value of [...example.personalData, ...bad.personalData]) expect(text, value).not.toContain(value);
      }
    });

    more?.(kit);
  });
}

function registeredTarget(type: string): TargetDefinition {
  const definition = TARGET_DEFINITIONS.find((candidate) => candidate.type === type);
  if (!definition)
    throw new Error(`No target "${type}" is registered: add its definition to TARGETS in targets/index.ts`);
  return definition;
}

function once<T>(work: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= work());
}

function lineOf(row: string): number {
  return Number(/^line (\d+)$/.exec(row)?.[1] ?? Number.NaN);
}

/** A regular expression matching exactly one of `values`. */
function alternatives(values: readonly string[]): string {
  return [...new Set(values)].map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}
