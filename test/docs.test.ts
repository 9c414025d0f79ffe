// The vendor pages in docs/ say what the code reads: one page per registered connector, linked
// from the README, naming every credential field its schema has, with PUT bodies that the
// schema accepts, and links between pages that lead somewhere.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { describe, test } from 'node:test';
import type { z } from 'zod';
import { connectorIds, connectors } from '../connectors/registry.ts';

const root = new URL('../', import.meta.url);
const read = (path: string) => readFile(new URL(path, root), 'utf8');

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
}
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Every field name of a credentials schema, nested objects and union members included. */
function fieldNames(schema: z.ZodType): string[] {
  const def = defOf(schema);
  if (def.innerType) return fieldNames(def.innerType); // optional, default, nullable
  if (def.type === 'union') return (def.options ?? []).flatMap(fieldNames);
  if (def.type !== 'object') return [];
  return Object.entries(def.shape ?? {}).flatMap(([name, inner]) => [name, ...fieldNames(inner)]);
}

/** The JSON code blocks of a page that carry `credentials`. */
const credentialExamples = (page: string) =>
  [...page.matchAll(/```json\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((block) => block.includes('"credentials"'))
    .map((block) => JSON.parse(block) as { credentials: unknown });

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as dashes. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

describe('vendor pages in docs/', () => {
  for (const type of connectorIds) {
    test(`docs/${type}.md exists, is linked from the README, names every ${type} credential field, and its PUT bodies are valid`, async () => {
      const page = await read(`docs/${type}.md`);
      assert.match(await read('README.md'), new RegExp(`\\]\\(docs/${type}\\.md\\)`), `README.md links docs/${type}.md`);
      const schema = connectors[type].credentials;
      for (const field of new Set(fieldNames(schema))) {
        assert.match(page, new RegExp(`\`(?:[\\w.]*\\.)?${field}(?:\\.[\\w.]*)?\``), `docs/${type}.md names the credential field ${field}`);
      }
      for (const example of credentialExamples(page)) {
        const parsed = schema.safeParse(example.credentials);
        assert.ok(
          parsed.success,
          `docs/${type}.md: an example body the connector refuses: ${parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      }
    });
  }

  test('links between the pages (and to the README) lead to a file and a heading that exist', async () => {
    const pages = (await readdir(new URL('docs/', root))).filter((f) => f.endsWith('.md'));
    for (const name of pages) {
      const page = await read(`docs/${name}`);
      for (const [, target, anchor] of page.matchAll(/\]\((?!https?:)([^)#\s]*)(?:#([^)\s]+))?\)/g)) {
        const file = target ? new URL(target, new URL(`docs/${name}`, root)) : new URL(`docs/${name}`, root);
        assert.ok(existsSync(file), `docs/${name} links ${target}, which does not exist`);
        if (anchor) {
          const headings = (await readFile(file, 'utf8'))
            .split('\n')
            .filter((l) => /^#{1,6} /.test(l))
            .map((l) => anchorOf(l.replace(/^#+ /, '')));
          assert.ok(headings.includes(anchor), `docs/${name} links ${target}#${anchor}, a heading ${target || name} does not have`);
        }
      }
    }
  });
});
