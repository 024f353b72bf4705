import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/harness';
import { historyFromJson } from '../support/history-json';

/**
 * Histories recorded by the workflow code of commit 5264382 (see test/fixtures/histories/README.md),
 * each with the way it ended. A deploy must not strand a run in flight: every one of them has to
 * replay against the current workflows without a nondeterminism error.
 */
const HISTORIES = {
  'csv-succeeded': 'COMPLETED',
  'csv-dry-run': 'COMPLETED',
  'rows-rejected': 'FAILED',
  'staffbase-succeeded': 'COMPLETED',
  'staffbase-preview-tripped': 'FAILED',
  'staffbase-hold-rejected': 'FAILED',
  'staffbase-auth-refused': 'FAILED',
  'allstacks-rate-limited': 'COMPLETED',
  'allstacks-lock-first': 'COMPLETED',
  'allstacks-lock-second': 'COMPLETED',
  'upload-lock': 'RUNNING',
  'hold-rejected': 'FAILED',
  'hold-approved': 'COMPLETED',
  'hold-expired': 'FAILED',
  'hold-cancelled': 'CANCELED',
} as const;

/** Patches added after those histories were recorded: an old history must not carry their markers. */
const LATER_PATCHES = ['cancel-stranded-staffbase-import', 'record-upload-lock-wait', 'one-pass-build'];

interface HistoryJson {
  events: Array<{ eventType: string; markerRecordedEventAttributes?: { details?: Record<string, unknown> } }>;
}

const HISTORY_DIR = join(REPO_ROOT, 'test', 'fixtures', 'histories');

function loadHistory(name: string): HistoryJson {
  return JSON.parse(readFileSync(join(HISTORY_DIR, `${name}.json`), 'utf8')) as HistoryJson;
}

function endOf(history: HistoryJson): string {
  const last = history.events.at(-1)!.eventType;
  const closed = /^EVENT_TYPE_WORKFLOW_EXECUTION_(COMPLETED|FAILED|CANCELED)$/.exec(last);
  return closed ? closed[1]! : 'RUNNING';
}

/** The decoded payloads of the history's markers (a patch marker names its patch id in one). */
function markersOf(history: HistoryJson): string {
  const encoded = JSON.stringify(history.events.filter((event) => event.markerRecordedEventAttributes));
  return [...encoded.matchAll(/"data":"([A-Za-z0-9+/=]*)"/g)]
    .map((match) => Buffer.from(match[1]!, 'base64').toString('utf8'))
    .join('\n');
}

let workflowBundle: { code: string };

beforeAll(async () => {
  // A replay worker starts and stops per history: its state changes would bury the report.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  // The bundle a worker of this checkout would run, built once for every history.
  workflowBundle = await bundleWorkflowCode({
    workflowsPath: join(REPO_ROOT, 'workflows', 'index.ts'),
    logger: new DefaultLogger('WARN'),
  });
});

describe('replay of histories recorded by older workflow code', () => {
  it('replays every recorded history there is', () => {
    const files = readdirSync(HISTORY_DIR).filter((file) => file.endsWith('.json'));
    expect(files.map((file) => file.replace(/\.json$/, '')).sort()).toEqual(Object.keys(HISTORIES).sort());
  });

  it.each(Object.entries(HISTORIES))('%s replays against the current workflows', async (name, end) => {
    const history = loadHistory(name);
    // The fixture is the old recording it claims to be, not one regenerated from newer code.
    expect(endOf(history)).toBe(end);
    for (const patch of LATER_PATCHES) expect(markersOf(history)).not.toContain(patch);

    // Throws DeterminismViolationError (or ReplayError) when the current code would take another path.
    await expect(
      Worker.runReplayHistory({ workflowBundle }, historyFromJson(history), `replay-${name}`),
    ).resolves.toBeUndefined();
  });
});
