import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { ActivityDeps } from '../../activities';
import { createTargetActivities } from '../../targets';
import { STEP_OF_PIPELINE_ACTIVITY, stepOfActivity, syncIdFromHeaders } from '../../worker/log-context';
import { SYNC_ID_HEADER, syncIdOf } from '../../workflows/log-context';

// Creating the activities only closes over their dependencies; none is used here.
const deps = { store: {}, configPath: 'unused.yaml' } as unknown as ActivityDeps;

describe('the step on an activity log line', () => {
  it('is known for every activity the worker registers: the pipeline’s listed, the targets’ deliver', () => {
    const targets = new Set(Object.keys(createTargetActivities(deps)));
    const pipeline = Object.keys(createActivities(deps)).filter((name) => !targets.has(name));
    expect(pipeline.filter((name) => !Object.hasOwn(STEP_OF_PIPELINE_ACTIVITY, name))).toEqual([]);
    expect([...targets].filter((name) => Object.hasOwn(STEP_OF_PIPELINE_ACTIVITY, name))).toEqual([]);
    expect([...targets].map(stepOfActivity)).toEqual([...targets].map(() => 'deliver'));
  });

  it.each([
    ['startRun', 'start'],
    ['resolveSync', 'resolve'],
    ['buildArtifacts', 'build'],
    ['extractEmployees', 'build'],
    ['planRun', 'plan'],
    ['holdRun', 'hold'],
    ['deliverCsvFile', 'deliver'],
    ['uploadToAllstacks', 'deliver'],
    ['pollStaffbaseImport', 'deliver'],
    ['finishRun', 'finish'],
  ])('%s -> %s', (activityType, step) => {
    expect(stepOfActivity(activityType)).toBe(step);
  });
});

describe('the sync id header', () => {
  it('reads what the workflow side writes, and nothing from runs whose workflow wrote none', () => {
    expect(syncIdFromHeaders({ [SYNC_ID_HEADER]: defaultPayloadConverter.toPayload('acme-people') })).toBe(
      'acme-people',
    );
    expect(syncIdFromHeaders({})).toBeUndefined();
    expect(syncIdFromHeaders({ [SYNC_ID_HEADER]: { metadata: {}, data: new Uint8Array([1, 2]) } })).toBeUndefined();
    expect(syncIdFromHeaders({ [SYNC_ID_HEADER]: defaultPayloadConverter.toPayload({ syncId: 'x' }) })).toBeUndefined();
  });

  it("comes from a syncRoster input only (the upload lock's input has none)", () => {
    expect(syncIdOf({ syncId: 'acme-people', dryRun: true })).toBe('acme-people');
    expect(syncIdOf({ resource: 'allstacks:app:42', leaseMs: 1000 })).toBeUndefined();
    expect(syncIdOf(undefined)).toBeUndefined();
    expect(syncIdOf({ syncId: 42 })).toBeUndefined();
  });
});
