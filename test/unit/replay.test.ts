import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/harness';
import { historyFromJson } from '../support/history-json';
import { WORKFLOW_LOG_CONTEXT_MODULE } from '../../worker/log-context';

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
const LATER_PATCHES = [
  'cancel-stranded-staffbase-import',
  'record-upload-lock-wait',
  'one-pass-build',
  'target-named-activities',
  'run-search-attributes',
  'run-alerts',
];

/**
 * Histories recorded by the workflow code of commit d07d2b7, the last before the activities were
 * named by their target (docs/upgrading.md): the one-pass build, then the delivery activity under its
 * old name. They replay through the `patched('target-named-activities')` guards' old branch.
 */
const HISTORIES_BEFORE_TARGET_NAMES = {
  'csv-file-one-pass': { end: 'COMPLETED', oldActivity: 'deliverFile', newActivity: 'deliverCsvFile' },
  'oneroster-sftp-succeeded': { end: 'COMPLETED', oldActivity: 'uploadOneRoster', newActivity: 'uploadOneRosterSftp' },
} as const;

interface HistoryJson {
  events: Array<{
    eventType: string;
    markerRecordedEventAttributes?: { details?: Record<string, unknown> };
    activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
  }>;
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

/** The activity types the history scheduled, in order. */
function activitiesOf(history: HistoryJson): string[] {
  return history.events.flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
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
    workflowInterceptorModules: [WORKFLOW_LOG_CONTEXT_MODULE],
    logger: new DefaultLogger('WARN'),
  });
});

describe('replay of histories recorded by older workflow code', () => {
  it('replays every recorded history there is', () => {
    const files = readdirSync(HISTORY_DIR).filter((file) => file.endsWith('.json'));
    expect(files.map((file) => file.replace(/\.json$/, '')).sort()).toEqual(
      [...Object.keys(HISTORIES), ...Object.keys(HISTORIES_BEFORE_TARGET_NAMES)].sort(),
    );
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

describe('replay of histories recorded before the activities were named by their target', () => {
  it.each(Object.entries(HISTORIES_BEFORE_TARGET_NAMES))(
    '%s replays against the current workflows, calling the activity by its old name',
    async (name, { end, oldActivity, newActivity }) => {
      const history = loadHistory(name);
      expect(endOf(history)).toBe(end);
      // Recorded by d07d2b7: after the one-pass build, before the rename.
      expect(markersOf(history)).toContain('one-pass-build');
      expect(markersOf(history)).not.toContain('target-named-activities');
      expect(activitiesOf(history)).toContain(oldActivity);
      expect(activitiesOf(history)).not.toContain(newActivity);

      // The guard's old branch schedules the old name, as recorded; the new name would not replay.
      await expect(
        Worker.runReplayHistory({ workflowBundle }, historyFromJson(history), `replay-${name}`),
      ).resolves.toBeUndefined();
    },
  );
});
