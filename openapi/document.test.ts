// The document the API serves is the one the procedures build: a schema change without
// `npm run openapi` fails here, naming the command.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { DOCUMENT, serialise } from './write.ts';

test('openapi/openapi.json is up to date with the procedures', { timeout: 30_000 }, async () => {
  const committed = await readFile(DOCUMENT, 'utf8');
  assert.ok(committed === serialise(), 'openapi/openapi.json is out of date: run `npm run openapi` and commit the result');
});
