/**
 * Console benchmark: the build's size (what the first page load fetches, and everything, raw
 * and gzip), and first-load time in Chromium — navigation to interactive, median of N cold loads
 * (a fresh browser context each, so nothing is cached) — against two baselines served by the
 * same server in the same run: a bare static page and the /docs page (Swagger UI).
 *
 *   npm run bench:console                    # embedded PostgreSQL in a temp dir
 *   DATABASE_URL=postgres://… npm run bench:console -- --runs 21
 *
 * "Interactive" is when the page's first control can be used: the sign-in form's key input
 * (signed out), the campaigns table (signed in), Swagger UI's first operation, the bare
 * page's button.
 */
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { consoleDist } from '../api/runtime/web-build.ts';
import { testEngineApp } from '../test/support/app.ts';
import { newKey } from '../test/support/data.ts';
import { buildConsole, ensureDatabase, launchChromium, seedCampaign } from '../test/support/browser.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const RUNS = Number(values.runs);

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function sizes() {
  const html = await readFile(path.join(consoleDist, 'index.html'), 'utf8');
  const initial = [...html.matchAll(/(?:src|href)="\/app\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
  const files = (await readdir(path.join(consoleDist, 'assets'))).map((f) => `assets/${f}`);
  const measure = async (list: string[]) => {
    let raw = 0;
    let gzip = 0;
    for (const f of list) {
      const bytes = await readFile(path.join(consoleDist, f));
      raw += bytes.length;
      gzip += gzipSync(bytes, { level: 9 }).length;
    }
    return { files: list.length, raw, gzip };
  };
  return { initial: await measure(initial), all: await measure(files) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** Cold loads of `url` until `ready` is visible: ms from navigation start, median and spread. */
async function firstLoad(browser: Browser, url: string, ready: string, cookie?: { name: string; value: string; url: string }) {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    if (cookie) await context.addCookies([cookie]);
    const page = await context.newPage();
    const start = performance.now();
    await page.goto(url, { waitUntil: 'commit' });
    await page.locator(ready).first().waitFor({ timeout: 30_000 });
    times.push(performance.now() - start);
    await context.close();
  }
  return { median: median(times), min: Math.min(...times), max: Math.max(...times) };
}

const stopDatabase = await ensureDatabase();
await buildConsole();
const app = await testEngineApp({ sim: { clockSpeed: 50 } });
const bare = createServer((_req, res) => {
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bare</title></head><body><button>ok</button></body></html>');
});
bare.listen(0, '127.0.0.1');
await new Promise((resolve) => bare.once('listening', resolve));
const browser = await launchChromium();
try {
  const size = await sizes();
  const operator = await newKey(app, 'operator');
  await seedCampaign(app.worker, app.tenantId);
  const signIn = await fetch(`${app.url}/app/session`, { method: 'POST', headers: { authorization: `Bearer ${operator.key}` } });
  const value = /chaseline_session=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')![1]!;
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;

  const rows = [
    ['bare static page (baseline)', await firstLoad(browser, bareUrl, 'button')],
    ['/docs, Swagger UI (baseline)', await firstLoad(browser, `${app.url}/docs`, '.opblock')],
    ['/app signed out → sign-in form', await firstLoad(browser, `${app.url}/app/`, '#key')],
    ['/app/campaigns signed in → table', await firstLoad(browser, `${app.url}/app/campaigns`, 'table', { name: 'chaseline_session', value, url: app.url })],
  ] as const;

  console.log(`\nconsole build (${consoleDist})`);
  console.log(`  first load: ${size.initial.files} files, ${kb(size.initial.raw)} raw, ${kb(size.initial.gzip)} gzip`);
  console.log(`  everything: ${size.all.files} files, ${kb(size.all.raw)} raw, ${kb(size.all.gzip)} gzip (ECharts loads only with a chart)`);
  console.log(`\nfirst load to interactive, ${RUNS} cold loads each (ms)`);
  console.log('| page | median | min | max |');
  console.log('|---|---|---|---|');
  for (const [name, t] of rows) console.log(`| ${name} | ${Math.round(t.median)} | ${Math.round(t.min)} | ${Math.round(t.max)} |`);
} finally {
  await browser.close();
  bare.close();
  await app.close();
  await stopDatabase();
}
