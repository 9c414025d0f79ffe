import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CsvSyntaxError, tokenizeCsv } from './csv.tokenize.ts';

async function tokenize(chunks: string[], delimiter = ','): Promise<string[][]> {
  const out: string[][] = [];
  for await (const batch of tokenizeCsv(
    (async function* () {
      yield* chunks;
    })(),
    { delimiter },
  ))
    out.push(...batch);
  return out;
}

/** Splits text at the given (sorted, deduplicated) offsets. */
function split(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const parts: string[] = [];
  let prev = 0;
  for (const p of points) {
    parts.push(text.slice(prev, p));
    prev = p;
  }
  parts.push(text.slice(prev));
  return parts;
}

test('round trip: any records, quoted as a spreadsheet would, split anywhere', async () => {
  const cell = fc.string({ unit: fc.constantFrom('a', 'Z', '张', ' ', '\t', ',', ';', '"', '\n', '\r', '😀'), maxLength: 6 });
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(',', ';', '\t'),
      // One line ending per file: mixed, a CR break before an empty line would read as CRLF.
      fc.constantFrom('\r\n', '\n', '\r'),
      fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
      fc.boolean(),
      fc.array(fc.nat(), { maxLength: 6 }),
      async (delimiter, br, records, trailingBreak, cuts) => {
        const serialise = (c: string) => (/[",;\t\r\n]/.test(c) || c.trimStart().startsWith('"') ? `"${c.replaceAll('"', '""')}"` : c);
        let text = records.map((cells) => cells.map(serialise).join(delimiter) + br).join('');
        const last = records.at(-1)!;
        // Without a final line break, a last record that is one empty cell would be no text at all.
        if (!trailingBreak && !(last.length === 1 && last[0] === '')) text = text.slice(0, -br.length);
        assert.deepEqual(await tokenize(split(text, cuts), delimiter), records);
      },
    ),
    { numRuns: 500 },
  );
});

test('what Excel does with loose quoting and blanks', async () => {
  assert.deepEqual(await tokenize(['a, "b, c" ,5\'10",王"总"\n']), [['a', 'b, c ', '5\'10"', '王"总"']]);
  assert.deepEqual(await tokenize(['"ab"cd,"x""y"\n']), [['abcd', 'x"y']]);
  assert.deepEqual(await tokenize(['\n\na,b,\n\n']), [[''], [''], ['a', 'b', ''], ['']]);
  assert.deepEqual(await tokenize(['a,b\r', '\n1,2\r', '3,4\n5']), [['a', 'b'], ['1', '2'], ['3', '4'], ['5']]);
  assert.deepEqual(await tokenize(['a\tb c\t"d\te"\n'], '\t'), [['a', 'b c', 'd\te']]);
  assert.deepEqual(await tokenize(['a,'], ','), [['a', '']]);
  assert.deepEqual(await tokenize([]), []);
});

test('an unclosed quote is an error naming the row where it starts', async () => {
  await assert.rejects(tokenize(['h\n\nok\n"never', ' closed\n', 'x\n']), (err: unknown) => {
    assert.ok(err instanceof CsvSyntaxError);
    assert.equal(err.row, 4);
    return true;
  });
  const huge = '"' + 'x'.repeat(2000);
  await assert.rejects(
    (async () => {
      for await (const _ of tokenizeCsv(
        (async function* () {
          yield huge;
          yield huge;
        })(),
        { delimiter: ',', maxRecordChars: 1000 },
      )) {
        // drain
      }
    })(),
    CsvSyntaxError,
  );
});
