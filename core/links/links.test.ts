import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { findUrls, followLink, linkClicks, trackLinks } from './links.ts';
import { createPii } from '../privacy/pii.ts';
import type { Deps } from '../deps.ts';
import { testDatabase, type TestDatabase } from '../../test/support/db.ts';

const urls = (text: string) => findUrls(text).map((u) => u.url);

describe('finding the URLs in an SMS', () => {
  test('a URL with a query string and fragment is taken whole', () => {
    assert.deepEqual(urls('Your cart: https://shop.example/cart?id=42&utm_source=sms#pay — see you'), ['https://shop.example/cart?id=42&utm_source=sms#pay']);
  });

  test('sentence punctuation after a URL is not part of it', () => {
    assert.deepEqual(urls('Go to https://a.example/x. Or https://b.example/y, or http://c.example!'), [
      'https://a.example/x',
      'https://b.example/y',
      'http://c.example',
    ]);
    assert.deepEqual(urls('(see https://a.example/p)'), ['https://a.example/p']);
    // A bracket the URL opened is its own.
    assert.deepEqual(urls('https://en.wikipedia.org/wiki/Foo_(bar).'), ['https://en.wikipedia.org/wiki/Foo_(bar)']);
  });

  test('Chinese text and punctuation right after a URL end it', () => {
    assert.deepEqual(urls('您的购物车：https://shop.example/c/9。请尽快付款'), ['https://shop.example/c/9']);
    assert.deepEqual(urls('点击https://shop.example/c?x=1，谢谢'), ['https://shop.example/c?x=1']);
    assert.deepEqual(urls('链接https://shop.example/c查看'), ['https://shop.example/c']);
    assert.deepEqual(urls('「https://shop.example/q」'), ['https://shop.example/q']);
  });

  test('two URLs, upper-case schemes, and things that only look like links', () => {
    assert.deepEqual(urls('HTTPS://A.example/1 and https://b.example/2'), ['HTTPS://A.example/1', 'https://b.example/2']);
    assert.deepEqual(urls('no links: https:// ftp://x.example www.example.com mailto:a@b.example'), []);
  });

  test('positions point at the URL in the text', () => {
    const text = '看这里https://x.example/a。';
    const [u] = findUrls(text);
    assert.equal(text.slice(u!.start, u!.end), 'https://x.example/a');
  });
});

describe('tracked links', () => {
  let db: TestDatabase;
  let deps: Deps;
  const tenantId = randomUUID();
  const base = 'https://chase.example/';
  before(async () => {
    db = await testDatabase();
    deps = { db: db.pool, pii: createPii(randomBytes(32)) };
  });
  after(() => db.drop());

  const codeIn = (text: string) => [...text.matchAll(/https:\/\/chase\.example\/l\/([\w-]+)/g)].map((m) => m[1]!);

  test('each URL becomes a short link on our base URL; the same URL twice gets one code', async () => {
    const chaseId = randomUUID();
    const text = await trackLinks(
      deps,
      { tenantId, chaseId },
      '付款：https://shop.example/pay?t=SECRET。Or https://shop.example/pay?t=SECRET, or https://shop.example/help.',
      base,
    );
    const codes = codeIn(text);
    assert.equal(codes.length, 3);
    assert.equal(codes[0], codes[1]);
    assert.notEqual(codes[0], codes[2]);
    for (const code of codes) assert.match(code, /^[A-Za-z0-9_-]{8,}$/);
    assert.equal(text, `付款：${base}l/${codes[0]}。Or ${base}l/${codes[0]}, or ${base}l/${codes[2]}.`);
    // The target (a token here) is not stored in the clear.
    const { rows } = await db.pool.query<{ target_enc: string }>(`select target_enc from links where chase_id = $1`, [chaseId]);
    assert.equal(rows.length, 2);
    for (const r of rows) assert.doesNotMatch(r.target_enc, /SECRET|shop\.example/);
  });

  test('a text with no URL, or only our own links, is unchanged and makes no link', async () => {
    const chaseId = randomUUID();
    assert.equal(await trackLinks(deps, { tenantId, chaseId }, 'Call us back', base), 'Call us back');
    const ours = `Pay at ${base}l/abcdefgh12`;
    assert.equal(await trackLinks(deps, { tenantId, chaseId }, ours, base), ours);
    assert.deepEqual(await linkClicks(deps, tenantId, chaseId), []);
  });

  test('following a link records the click and a timeline event, and returns the target', async () => {
    const chaseId = randomUUID();
    const attemptId = randomUUID();
    const [code] = codeIn(await trackLinks(deps, { tenantId, chaseId, attemptId }, 'https://shop.example/r?email=a%40b.example', base));
    const at = new Date('2026-01-02T03:04:05Z');
    assert.equal(await followLink(deps, code!, { userAgent: 'Mozilla/5.0', at }), 'https://shop.example/r?email=a%40b.example');
    assert.equal(await followLink(deps, code!, { at }), 'https://shop.example/r?email=a%40b.example');
    assert.deepEqual(await linkClicks(deps, tenantId, chaseId), [{ code, attemptId, clicks: 2, lastClickedAt: at.toISOString() }]);
    const { rows } = await db.pool.query(`select type, attempt_id, detail from chase_events where tenant_id = $1 and chase_id = $2 order by seq`, [
      tenantId,
      chaseId,
    ]);
    assert.deepEqual(
      rows,
      [1, 2].map(() => ({ type: 'link-clicked', attempt_id: attemptId, detail: { code } })),
    );
    // Another tenant's view of the chase sees nothing.
    assert.deepEqual(await linkClicks(deps, randomUUID(), chaseId), []);
  });

  test('an unknown or malformed code is null and records nothing', async () => {
    const before = (await db.pool.query(`select 1 from link_clicks`)).rowCount;
    assert.equal(await followLink(deps, 'unknownCode1', { at: new Date() }), null);
    assert.equal(await followLink(deps, '../../etc', { at: new Date() }), null);
    assert.equal((await db.pool.query(`select 1 from link_clicks`)).rowCount, before);
  });
});
