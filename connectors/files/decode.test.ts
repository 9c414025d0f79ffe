import { test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { decodeStream, type DetectedEncoding } from './decode.ts';
import { chunked, collect } from './files.testing.ts';

async function decode(bytes: Uint8Array, chunkSize: number, sniffBytes?: number) {
  let encoding: DetectedEncoding | undefined;
  let calls = 0;
  const parts = await collect(
    decodeStream(chunked(bytes, chunkSize), {
      sniffBytes,
      onEncoding: (e) => {
        encoding = e;
        calls++;
      },
    }),
  );
  assert.equal(calls, 1, 'onEncoding is called exactly once');
  return { text: parts.join(''), encoding };
}

const sample = 'name,phone\r\n张三,13800138000\r\n李四 “经理”,+86 139\r\nZoë,😀\r\n'.repeat(30);

test('detects each encoding and returns the same text whatever the chunk size', async () => {
  const cases: [string, Uint8Array, DetectedEncoding, string][] = [
    ['utf-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(sample)]), 'utf-8-bom', sample],
    ['utf-8', Buffer.from(sample), 'utf-8', sample],
    ['gb18030', iconv.encode(sample, 'gb18030'), 'gb18030', sample],
    ['utf-16le', iconv.encode('\uFEFF' + sample, 'utf-16le'), 'utf-16le', sample],
    ['utf-16be', iconv.encode('\uFEFF' + sample, 'utf-16be'), 'utf-16be', sample],
    ['ascii', Buffer.from('a,b\n1,2\n'), 'utf-8', 'a,b\n1,2\n'],
  ];
  for (const [label, bytes, encoding, text] of cases) {
    for (const size of [1, 2, 3, 5, 7, 64, 100_000]) {
      // a small sniff window so that detection happens mid-stream, after some chunks
      const got = await decode(bytes, size, 16);
      assert.equal(got.encoding, encoding, `${label} / ${size}`);
      assert.equal(got.text, text, `${label} / ${size}`);
    }
  }
});

test('GBK text with only a few non-ASCII bytes, and the window cut mid-character', async () => {
  const text = 'a'.repeat(5000) + ',姓名\n';
  const gbk = iconv.encode(text, 'gbk');
  for (const sniff of [1, 2, 3, 4096]) {
    assert.deepEqual(await decode(gbk, 1000, sniff), { text, encoding: 'gb18030' });
  }
  // a UTF-8 window ending inside a 3-byte character must not be mistaken for invalid
  const utf8 = Buffer.from('x,' + '姓名'.repeat(100));
  for (const sniff of [1, 2, 4, 5, 301]) {
    assert.deepEqual(await decode(utf8, 64, sniff), { text: 'x,' + '姓名'.repeat(100), encoding: 'utf-8' });
  }
});

test('empty and tiny inputs', async () => {
  assert.deepEqual(await decode(new Uint8Array(0), 10), { text: '', encoding: 'utf-8' });
  assert.deepEqual(await decode(Buffer.from([0xef, 0xbb, 0xbf]), 1), { text: '', encoding: 'utf-8-bom' });
  assert.deepEqual(await decode(Buffer.from([0xff, 0xfe]), 1), { text: '', encoding: 'utf-16le' });
  assert.deepEqual(await decode(iconv.encode('张', 'gbk'), 1), { text: '张', encoding: 'gb18030' });
  assert.deepEqual(await decode(Buffer.from('张'), 1), { text: '张', encoding: 'utf-8' });
});

test('leading ASCII is passed on before the encoding is known, so memory stays bounded', async () => {
  const ascii = Buffer.from('x'.repeat(1000));
  let seen = 0;
  const source = (async function* () {
    yield ascii;
    yield ascii;
    seen = 2;
    yield iconv.encode('张', 'gbk');
  })();
  const it = decodeStream(source)[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal(first.value, 'x'.repeat(1000));
  assert.equal(seen, 0);
});
