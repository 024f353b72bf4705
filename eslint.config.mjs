// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

/** Workflow code runs in Temporal's deterministic sandbox: what it may not import (as values). */
const WORKFLOW_PATHS = nodeBuiltins.map((name) => ({ name, message: 'Workflow code cannot use Node built-ins.' }));
const WORKFLOW_PATTERNS = [
  {
    group: ['@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing'],
    message: 'Workflow code may only use @temporalio/workflow.',
  },
  {
    group: [
      '**/activities',
      '**/activities/**',
      '**/store/**',
      '**/connectors/**',
      '**/io/**',
      '**/notify/**',
      // ...but for the alert kinds and failure types that workflow code decides on.
      '!**/notify/alert',
      '!**/notify/failure-types',
      '**/report/**',
      '**/targets/**',
      // ...but for the targets' deliveries registry (the deliveries themselves are under it).
      '!**/targets/deliveries',
      '**/cli/**',
      '**/worker/**',
      '**/tools/**',
    ],
    allowTypeImports: true,
    message: 'Workflow code may import activity types only (`import type`).',
  },
  {
    // A folder's own index (`../targets`): the group above cannot name it and still let the
    // deliveries registry under it through.
    regex: '^(\\.\\./)+(store|connectors|io|notify|report|targets|cli|worker|tools)$',
    allowTypeImports: true,
    message: 'Workflow code may import activity types only (`import type`).',
  },
];

/** The workflow import rules, with what a file of its own place may not import besides. */
const workflowImports = (...extra) => ({
  'no-restricted-imports': ['error', { paths: WORKFLOW_PATHS, patterns: [...WORKFLOW_PATTERNS, ...extra] }],
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.rosterflow/', 'tools/ferretdb/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Forgetting to await an activity, a workflow API or a database call is a bug.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no activity code,
    // no client/worker SDK packages, and nothing from the layers that do I/O.
    files: ['workflows/**/*.ts'],
    rules: workflowImports(),
  },
  {
    // A target's delivery orchestration is workflow code too. Beside it in its folder is the target's
    // I/O (client, config, activities), which it may import as types only: of its own folder, only
    // the delivery contract.
    files: ['targets/*/delivery.ts'],
    rules: workflowImports({
      regex: '^(\\.|\\.\\.|\\./.*|\\.\\./(?!sdk/delivery$)(?!\\.\\./).*)$',
      allowTypeImports: true,
      message: 'A delivery is workflow code: of the targets it imports types only (and ../sdk/delivery).',
    }),
  },
  {
    // The deliveries' registry: the targets' `delivery.ts` files and nothing else of theirs.
    files: ['targets/deliveries.ts', 'targets/sdk/delivery.ts', 'targets/sdk/step-delivery.ts'],
    rules: workflowImports({
      regex: '^\\.(/(?!([a-z-]+|sdk)/delivery$)(?!sdk/step-delivery$).*)?$',
      allowTypeImports: true,
      message: "The deliveries registry is workflow code: it imports only the targets' delivery.ts files.",
    }),
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', __dirname: 'readonly', console: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
