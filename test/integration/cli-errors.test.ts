import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../tools/stack/ports';
import { runCli } from '../support/cli';
import type { CliResult } from '../support/cli';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

// The processes namespace: nothing here makes schedules.
let harness: Harness;
let closedPort: number;
beforeAll(async () => {
  harness = await startHarness('processes');
  // Free a moment ago and never listened on: nothing answers there.
  closedPort = await freePort();
});
afterAll(() => harness.close());

/** Exit code 1 and one line on stderr: no stack frames. */
function expectOneSentence(result: CliResult, pattern: RegExp) {
  expect(result.code).toBe(1);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toContain('    at ');
}

describe('expected errors: one sentence, exit code 1, a stack trace only with --debug', () => {
  it('says so when the run store does not answer', async () => {
    const result = await runCli(harness, ['history'], { MONGODB_URI: `mongodb://127.0.0.1:${closedPort}/` });
    expectOneSentence(
      result,
      new RegExp(
        `^rosterflow: the run store at 127\\.0\\.0\\.1:${closedPort} does not answer \\(.*\\); start the local stack`,
      ),
    );
  });

  it('says so when Temporal does not answer, naming the address', async () => {
    const result = await runCli(harness, ['run', 'acme-people'], { TEMPORAL_ADDRESS: `127.0.0.1:${closedPort}` });
    expectOneSentence(
      result,
      new RegExp(
        `^rosterflow: Temporal at 127\\.0\\.0\\.1:${closedPort} does not answer \\(.*\\);.*TEMPORAL_ADDRESS\\n$`,
      ),
    );
  });

  it('says why the local stack cannot start', async () => {
    const result = await runCli(harness, ['stack', 'start', '--headless', '--random-ports'], {
      MONGODB_URI: `mongodb://127.0.0.1:${closedPort}/`,
    });
    expectOneSentence(result, /^rosterflow: MONGODB_URI is set but the server does not answer \(.+\)\n$/);
  });

  it('names an unknown run id', async () => {
    const result = await runCli(harness, ['history', '--run', 'no-such-run']);
    expectOneSentence(result, /^rosterflow: No run or workflow "no-such-run" in the run store/);
  });

  it('adds the stack trace with --debug', async () => {
    const result = await runCli(harness, ['--debug', 'history', '--run', 'no-such-run']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^rosterflow: No run or workflow "no-such-run" in the run store/);
    expect(result.stderr).toContain('    at ');
  });
});
