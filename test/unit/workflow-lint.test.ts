import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/harness';

/** Lints `code` as if it were a file in workflows/ and returns the rule ids it broke. */
async function lintAsWorkflow(code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: REPO_ROOT });
  const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, 'workflows', 'sync-roster.ts') });
  return (result?.messages ?? []).map((message) => `${message.ruleId ?? 'parse'}: ${message.message}`);
}

describe('the workflow lint rules', () => {
  it.each([
    ["import { readFile } from 'node:fs';", 'Node built-ins'],
    ["import * as crypto from 'crypto';", 'Node built-ins'],
    ["import { heartbeat } from '@temporalio/activity';", '@temporalio/workflow'],
    ["import { Client } from '@temporalio/client';", '@temporalio/workflow'],
    ["import { createActivities } from '../activities';", '`import type`'],
    ["import { openStore } from '../store/store';", '`import type`'],
  ])('rejects %s', async (line, reason) => {
    const problems = await lintAsWorkflow(
      `${line}\nexport const used = [${line
        .match(/\{ (\w+) \}|\* as (\w+)/)
        ?.slice(1)
        .find(Boolean)}];\n`,
    );
    expect(problems.join('\n')).toMatch(new RegExp(`no-restricted-imports: .*${reason.replace(/[@/`]/g, '.')}`));
  });

  it('allows type-only imports of activities', async () => {
    const problems = await lintAsWorkflow(
      "import type { Activities } from '../activities';\nexport type A = Activities;\n",
    );
    expect(problems.filter((problem) => problem.startsWith('no-restricted-imports'))).toEqual([]);
  });
});
