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

describe('layers the linter holds', () => {
  const problems = async (filePath: string, text: string) => {
    const [result] = await new ESLint({ cwd: root }).lintText(text, { filePath: path.join(root, filePath) });
    return (result?.messages ?? []).map((m) => m.message);
  };

  test('api/ imports nothing from sim/ or openapi/; a test beside it may', async () => {
    const importsSim = "import { startTwilioSim } from '../../sim/twilio/index.ts';\nvoid startTwilioSim;\n";
    const importsOpenapi = "import { buildOpenApi } from '../openapi/build.ts';\nvoid buildOpenApi;\n";
    assert.match((await problems('api/runtime/fixture.ts', importsSim)).join('\n'), /api\/ never imports sim\//);
    assert.match((await problems('api/fixture.ts', importsOpenapi)).join('\n'), /api\/ does not import openapi\//);
    assert.deepEqual(await problems('api/runtime/fixture.test.ts', importsSim), []);
  });

  test('webhooks/ holds no SQL: neither the database modules nor a query', async () => {
    const sql = "import { withTransaction } from '../core/db/pool.ts';\nvoid withTransaction;\n";
    assert.match((await problems('webhooks/fixture.ts', sql)).join('\n'), /webhooks\/ holds no SQL/);
    const query = 'export const f = (db: { query(s: string): void }) => db.query(`select 1`);\n';
    assert.ok((await problems('webhooks/fixture.ts', query)).length > 0, 'a .query( call in webhooks/ is refused');
  });
});
