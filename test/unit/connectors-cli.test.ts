import { execFile } from 'node:child_process';
import { access, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeConnector } from '../../cli/config-fields';
import { TARGET_DEFINITIONS } from '../../targets';
import { SOURCE_DEFINITIONS } from '../../connectors';
import { SecretRefSchema } from '../../io/secrets';
import type { SourceDefinition } from '../../connectors/sdk/source';

const REPO_ROOT = resolve(__dirname, '..', '..');
const CLI = join(REPO_ROOT, 'bin', 'rosterflow');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command the way a developer would; the parent's vitest variables are dropped so a nested vitest starts clean. */
function run(command: string, args: string[], cwd: string): Promise<Result> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')));
  return new Promise((done) => {
    execFile(command, args, { cwd, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

describe('rosterflow connectors list', () => {
  it('shows every registered source with its config fields, secrets as references', async () => {
    const result = await run(CLI, ['connectors', 'list'], REPO_ROOT);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const definition of SOURCE_DEFINITIONS) {
      expect(result.stdout).toContain(`${definition.type}: ${definition.title}\n  docs    ${definition.docsUrl}\n`);
    }
    expect(result.stdout).toMatch(/^ {4}serviceUserToken +required +secret \(env or file\)$/m);
    expect(result.stdout).toMatch(/^ {4}pageSize +optional +integer 1\.\.5000, default 500$/m);
  });

  it('prints the same as JSON with --json', async () => {
    const result = await run(CLI, ['connectors', 'list', '--json'], REPO_ROOT);
    expect(result.code).toBe(0);
    const sources = JSON.parse(result.stdout) as { type: string; fields: Record<string, unknown>[] }[];
    expect(sources.map((source) => source.type)).toEqual(SOURCE_DEFINITIONS.map((definition) => definition.type));
    const hibob = sources.find((source) => source.type === 'hibob')!;
    expect(hibob.fields).toContainEqual({
      name: 'serviceUserToken',
      required: true,
      type: 'secret (env or file)',
      secret: true,
    });
    expect(hibob.fields).toContainEqual({
      name: 'baseUrl',
      required: false,
      type: 'url',
      secret: false,
      default: 'https://api.hibob.com/v1',
    });
  });
});

describe('rosterflow targets list', () => {
  it('shows every registered target with its doc link and config fields, secrets as references, and as JSON', async () => {
    const result = await run(CLI, ['targets', 'list'], REPO_ROOT);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const definition of TARGET_DEFINITIONS) {
      expect(result.stdout).toContain(`${definition.type}: ${definition.title}\n  docs    ${definition.docsUrl}\n`);
    }
    expect(result.stdout).toMatch(/^ {4}apiToken +required +secret \(env or file\)$/m);
    expect(result.stdout).toMatch(/^ {4}uploadWindowSeconds +optional +integer 0\.\.3600, default 300$/m);

    const json = await run(CLI, ['targets', 'list', '--json'], REPO_ROOT);
    expect(json.code).toBe(0);
    const targets = JSON.parse(json.stdout) as { type: string; fields: Record<string, unknown>[] }[];
    expect(targets.map((target) => target.type)).toEqual(TARGET_DEFINITIONS.map((definition) => definition.type));
    expect(targets.find((target) => target.type === 'allstacks')!.fields).toContainEqual({
      name: 'password',
      required: true,
      type: 'secret (env or file)',
      secret: true,
    });
  });
});

describe('the config fields connectors list derives from a zod schema', () => {
  it('lists nested settings by dotted name, with the secrets and defaults inside them', () => {
    const definition: SourceDefinition = {
      type: 'demo',
      title: 'Demo',
      docsUrl: 'https://example.com/docs',
      configSchema: z
        .object({
          type: z.literal('demo'),
          mode: z.enum(['full', 'delta']).default('full'),
          login: z.object({ user: z.string(), password: SecretRefSchema, port: z.int().min(1).default(22) }).optional(),
          tags: z.array(z.string()).optional(),
        })
        .strict(),
      create: () => {
        throw new Error('not used');
      },
    };
    expect(describeConnector(definition).fields).toEqual([
      { name: 'type', required: true, type: '"demo"', secret: false },
      { name: 'mode', required: false, type: 'full | delta', secret: false, default: 'full' },
      { name: 'login', required: false, type: 'object', secret: false },
      { name: 'login.user', required: true, type: 'string', secret: false },
      { name: 'login.password', required: true, type: 'secret (env or file)', secret: true },
      { name: 'login.port', required: false, type: 'integer >= 1', secret: false, default: 22 },
      { name: 'tags', required: false, type: 'list of string', secret: false },
    ]);
  });
});

/**
 * The generated connector must compile, lint, format and pass its own test as generated. It is
 * generated into a scratch copy holding only what generated code imports (the SDK, the core model,
 * the shared I/O, the conformance kit and the fake server support), so the check neither touches this checkout nor
 * trips over connectors others have half-written in it.
 */
describe('rosterflow connectors new', () => {
  const name = `scaffold-${Date.now().toString(36)}`;
  const generated = [
    `connectors/${name}/config.ts`,
    `connectors/${name}/types.ts`,
    `connectors/${name}/mappers/to-employee.ts`,
    `connectors/${name}/source.ts`,
    `connectors/${name}/index.ts`,
    `test/fakes/${name}/server.ts`,
    `test/connectors/${name}.test.ts`,
  ];
  let scratch: string;
  let created: Result;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'rosterflow-scaffold-'));
    const copies = [
      'connectors/sdk',
      'core',
      'io',
      'test/fakes/support',
      'test/support/source-conformance.ts',
      'test/support/failure-of.ts',
      'test/support/summary-reporter.ts',
      'package.json',
      'tsconfig.json',
      'vitest.config.ts',
      'eslint.config.mjs',
      '.prettierrc.json',
    ];
    for (const path of copies) await cp(join(REPO_ROOT, path), join(scratch, path), { recursive: true });
    await symlink(join(REPO_ROOT, 'node_modules'), join(scratch, 'node_modules'), 'dir');
    // The integration project's global setup starts Temporal and a store; here it only leaves a mark.
    await mkdir(join(scratch, 'test', 'support'), { recursive: true });
    await writeFile(
      join(scratch, 'test', 'support', 'global-setup.ts'),
      [
        "import { writeFileSync } from 'node:fs';",
        '',
        'export default function setup(): void {',
        "  writeFileSync(`${__dirname}/global-setup-ran`, 'the integration global setup ran');",
        '}',
        '',
      ].join('\n'),
    );
    created = await run(CLI, ['connectors', 'new', name, '--root', scratch], REPO_ROOT);
  }, 60_000);

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('writes the connector, its fake and its test, and says what to do next', async () => {
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    for (const path of generated) {
      expect(await exists(join(scratch, path)), path).toBe(true);
      expect(created.stdout).toContain(`  ${path}\n`);
    }
    const pascal = name.replace(/(?:^|-)([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
    const camel = pascal.charAt(0).toLowerCase() + pascal.slice(1);
    expect(created.stdout).toContain(`import { ${camel}Source } from './${name}';`);
    expect(created.stdout).toContain(`import { ${pascal}ConfigSchema } from './${name}/config';`);
    expect(created.stdout).toContain(`npx vitest run --project unit test/connectors/${name}.test.ts`);
    expect(created.stdout).toContain('docs/writing-a-connector.md');
    expect(created.stdout).toContain('This command does not edit that file');
  });

  it('generates code that type-checks, lints and is formatted', async () => {
    const typecheck = await run('npx', ['tsc', '--noEmit', '-p', '.'], scratch);
    expect(typecheck.stdout).toBe('');
    expect(typecheck.code).toBe(0);
    const lint = await run('npx', ['eslint', ...generated], scratch);
    expect(lint.stdout).toBe('');
    expect(lint.code).toBe(0);
    const format = await run('npx', ['prettier', '--check', ...generated], scratch);
    expect(format.code).toBe(0);
  }, 120_000);

  it('generates a test that passes at once, without starting the integration stack', async () => {
    const report = join(scratch, 'vitest-report.json');
    const result = await run(
      'npx',
      [
        'vitest',
        'run',
        '--project',
        'unit',
        `test/connectors/${name}.test.ts`,
        '--reporter=json',
        `--outputFile=${report}`,
      ],
      scratch,
    );
    const summary = JSON.parse(await readFile(report, 'utf8')) as {
      success: boolean;
      numTotalTests: number;
      numPassedTests: number;
    };
    expect(summary.numTotalTests).toBeGreaterThan(0);
    expect(summary.numPassedTests).toBe(summary.numTotalTests);
    expect(summary.success).toBe(true);
    expect(result.code).toBe(0);
    expect(await exists(join(scratch, 'test', 'support', 'global-setup-ran'))).toBe(false);
  }, 120_000);

  it('refuses to overwrite an existing connector, and writes nothing', async () => {
    const before = await readFile(join(scratch, generated[0]!), 'utf8');
    const again = await run(CLI, ['connectors', 'new', name, '--root', scratch], REPO_ROOT);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `rosterflow: connectors new: will not overwrite what is already there: connectors/${name}`,
    );
    expect(await readFile(join(scratch, generated[0]!), 'utf8')).toBe(before);
  });

  it('rejects a name that is not kebab-case or is already a registered type', async () => {
    const badName = await run(CLI, ['connectors', 'new', 'Acme_HR', '--root', scratch], REPO_ROOT);
    expect(badName.code).toBe(1);
    expect(badName.stderr).toContain('"Acme_HR" is not a kebab-case name');
    expect(await exists(join(scratch, 'connectors', 'Acme_HR'))).toBe(false);

    const taken = await run(CLI, ['connectors', 'new', 'hibob', '--root', scratch], REPO_ROOT);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('"hibob" is already a registered source type');
    expect(await exists(join(scratch, 'connectors', 'hibob'))).toBe(false);
  });
});
