import type { Reporter, RunnerTestFile, RunnerTask } from 'vitest/node' with { 'resolution-mode': 'import' };

/** Ends the report with one plain `N passed, N failed, N skipped` line that any CI log reader understands. */
export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = []): void {
    const counts = { pass: 0, fail: 0, skip: 0 };
    const visit = (task: RunnerTask) => {
      if (task.type === 'test') {
        const state = task.result?.state;
        if (state === 'pass') counts.pass += 1;
        else if (state === 'fail') counts.fail += 1;
        else counts.skip += 1;
      }
      if ('tasks' in task) task.tasks.forEach(visit);
    };
    files.forEach(visit);
    // A file that failed to load has no tests but must still count as a failure.
    const brokenFiles = files.filter((file) => file.result?.state === 'fail' && file.tasks.length === 0).length;
    console.log(`\n${counts.pass} passed, ${counts.fail + brokenFiles} failed, ${counts.skip} skipped\n`);
  }
}
