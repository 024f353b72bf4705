/**
 * Each integration test file gets a Temporal namespace of its own, created when the dev server
 * starts, so schedules (which are namespace-wide) and prunes of one file never touch another's.
 */
export const TEST_NAMESPACES = [
  'test-sync-roster',
  'test-schedules',
  'test-cli',
  'test-processes',
  'test-sources',
  'test-allstacks',
  'test-staffbase',
  'test-crash',
  'test-oneroster-sftp',
  'test-codec',
  'test-hygiene',
  'test-checkpoints',
  'test-holds',
  'test-faults',
  'test-infra',
  'test-config',
  'test-large-roster',
  'test-scim',
  'test-cli-status',
  'test-schedules-cli',
  'test-metrics',
  'test-worker-log',
  'test-run-visibility',
  'test-watchdog',
  'test-alerts',
  'test-change-report',
  // Shared by every target's conformance file (test/support/target-conformance.ts): each run has
  // its own task queue and database, and the kit makes no schedules.
  'test-conformance',
] as const;
export type TestNamespace = (typeof TEST_NAMESPACES)[number];
