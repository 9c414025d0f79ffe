// Layer rules that the linter holds (eslint.config.js): here, that core/ names no carrier —
// in code, strings or comments — while connectors/ may.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('..', import.meta.url));
const RULE = 'chaseline/no-carrier-names';
const fixture = readFileSync(path.join(root, 'test/fixtures/lint/core-names-a-carrier.ts'), 'utf8');

const carrierProblems = async (filePath: string, text = fixture) => {
  const [result] = await new ESLint({ cwd: root }).lintText(text, { filePath: path.join(root, filePath) });
  return (result?.messages ?? []).filter((m) => m.ruleId === RULE).map((m) => ({ line: m.line, column: m.column, message: m.message }));
};

describe('core/ names no carrier', () => {
  test('a core file naming a carrier fails, at each mention: comment, code and string alike', async () => {
    const problems = await carrierProblems('core/chases.fixture.ts');
    assert.deepEqual(
      problems.map((p) => [p.line, p.column]),
      [
        [2, 42],
        [3, 14],
        [4, 61],
        [5, 21],
      ],
    );
    assert.match(problems[0]!.message, /names no carrier \("Twilio"\)/);
    assert.match(problems[2]!.message, /"telnyx"/);
    assert.match(problems[3]!.message, /"TwiML"/);
  });

  test('the same text is fine in a connector, and core text that speaks of "the carrier" passes', async () => {
    assert.deepEqual(await carrierProblems('connectors/twilio/fixture.ts'), []);
    assert.deepEqual(
      await carrierProblems('core/chases.fixture.ts', "// What the carrier tells us about a call.\nexport const carrier = 'the carrier';\n"),
      [],
    );
  });

  test('every file in core/ passes it', async () => {
    const results = await new ESLint({ cwd: root }).lintFiles(['core/**/*.ts']);
    const offenders = results.flatMap((r) => r.messages.filter((m) => m.ruleId === RULE).map((m) => `${path.relative(root, r.filePath)}:${m.line}`));
    assert.deepEqual(offenders, []);
  });
});
