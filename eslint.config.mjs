// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

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
    // no client/worker SDK packages, and nothing from the layers that do I/O. A target's delivery
    // orchestration (targets/<type>/delivery.ts, registered in targets/deliveries.ts) is workflow code.
    files: ['workflows/**/*.ts', 'targets/deliveries.ts', 'targets/*/delivery.ts', 'targets/sdk/delivery.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code cannot use Node built-ins.' })),
          patterns: [
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
                '**/targets/**',
                // ...but for the targets' workflow-side deliveries and their registry.
                '!**/targets/deliveries',
                '!**/targets/*/delivery',
                '**/cli/**',
                '**/worker/**',
                '**/tools/**',
              ],
              allowTypeImports: true,
              message: 'Workflow code may import activity types only (`import type`).',
            },
            {
              // A folder's own index (`../targets`): the group above cannot name it and still let
              // the deliveries under it through.
              regex: '^(\\.\\./)+(store|connectors|io|targets|cli|worker|tools)$',
              allowTypeImports: true,
              message: 'Workflow code may import activity types only (`import type`).',
            },
          ],
        },
      ],
    },
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
