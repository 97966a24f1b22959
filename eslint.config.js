import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.node/**', 'coverage/**', 'test-results/**', 'bench/out/**', 'src/server/ui/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', AbortController: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', structuredClone: 'readonly', performance: 'readonly', queueMicrotask: 'readonly', setImmediate: 'readonly', document: 'readonly', window: 'readonly', globalThis: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/model/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': ['error', { patterns: [{ group: ['../*', '../../*'], message: 'model/ imports nothing from src (DESIGN.md).' }] }],
    },
  },
  {
    files: ['src/catalog/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/engine/**', '**/collectors/**', '**/report/**', '**/store/**', '**/server/**', '**/cli/**', '**/fix/**'], message: 'catalog/ imports model/ only (DESIGN.md).' },
        { group: ['node:fs', 'node:fs/*', 'node:net', 'node:http', 'node:https', 'node:child_process'], message: 'A check never performs I/O (DESIGN.md).' },
      ] }],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/collectors/**', '**/report/**', '**/store/**', '**/server/**', '**/cli/**', '**/fix/**'], message: 'engine/ imports model/ and catalog/ only (DESIGN.md).' }] }],
    },
  },
  {
    files: ['src/report/**/*.ts', 'src/store/**/*.ts', 'src/collectors/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/engine/**', '**/catalog/**', '**/cli/**', '**/server/**', '**/fix/**'], message: 'report/, store/ and collectors/ import model/ only (DESIGN.md).' }] }],
    },
  },
  {
    files: ['src/fix/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/collectors/**', '**/report/**', '**/store/**', '**/server/**', '**/cli/**'], message: 'fix/ imports engine/, catalog/ and model/ (DESIGN.md).' },
        { group: ['node:fs', 'node:fs/*', 'node:net', 'node:http', 'node:https', 'node:child_process'], message: 'fix/ never performs I/O: the CLI reads and writes for it (DESIGN.md).' },
      ] }],
    },
  },
  {
    files: ['src/server/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/engine/**', '**/catalog/**', '**/cli/**', '**/collectors/**', '**/fix/**'], message: 'server/ imports store/, report/ and model/ (DESIGN.md).' }] }],
    },
  },
);
