// /trpc has REST's limits: a body over 1 MB is 413 (refused by its Content-Length before it is
// read, and cut off at the limit when it comes chunked), a compressed body is 415, and a batch
// calls at most 20 procedures. Every refusal is a tRPC error with our data.code and data.field.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { assertTrpcError, cnMobile, type TrpcResponse } from '../support/api.ts';

let app: TestApp;
before(async () => {
  app = await testApp();
});
after(() => app?.close());

const auth = () => ({ authorization: `Bearer ${app.adminKey}` });
const asTrpc = async (res: Response): Promise<TrpcResponse> => ({ status: res.status, headers: res.headers, body: await res.json() });
const contactCount = async () => (await app.request('GET', '/v1/contacts')).body.items.length as number;

test('a declared 50 MB body is 413 at once, without waiting for the body', async () => {
  const started = Date.now();
  const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(`${app.url}/trpc/contacts.upsert`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json', 'content-length': String(50 * 1048576) },
    });
    req.on('response', (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (body += c));
      r.on('end', () => {
        resolve({ status: r.statusCode!, body });
        req.destroy();
      });
    });
    req.on('error', reject);
    req.write('{"name": "'); // the other 50 MB never come: the answer must not wait for them
  });
  assert.ok(Date.now() - started < 5_000, 'answered without reading the body');
  assertTrpcError({ status: res.status, headers: new Headers(), body: JSON.parse(res.body) }, 413, 'PAYLOAD_TOO_LARGE', 'PAYLOAD_TOO_LARGE', 'body');
});

test('a chunked body past 1 MB is cut off at the limit with 413; just under it is read', async () => {
  const big = JSON.stringify({ name: 'Big', phone: cnMobile(1), attributes: { blob: 'x'.repeat(2 * 1048576) } });
  const chunks = new ReadableStream<Uint8Array>({
    start(controller) {
      const bytes = new TextEncoder().encode(big);
      for (let i = 0; i < bytes.length; i += 65536) controller.enqueue(bytes.slice(i, i + 65536));
      controller.close();
    },
  });
  const init = { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: chunks, duplex: 'half' };
  assertTrpcError(await asTrpc(await fetch(`${app.url}/trpc/contacts.upsert`, init as RequestInit)), 413, 'PAYLOAD_TOO_LARGE', 'PAYLOAD_TOO_LARGE', 'body');
  assert.equal(await contactCount(), 0);

  const fits = JSON.stringify({ name: 'Fits', phone: cnMobile(2), attributes: { blob: 'x'.repeat(1000 * 1000) } });
  const ok = await fetch(`${app.url}/trpc/contacts.upsert`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: fits });
  assert.equal(ok.status, 200, await ok.clone().text());
  assert.equal(await contactCount(), 1);
});

test('a batch of more than 20 procedures is 400 naming batch, and runs none of them', async () => {
  const names = (n: number) => Array.from({ length: n }, () => 'contacts.upsert').join(',');
  const inputs = (n: number) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [i, { name: `B${i}`, phone: cnMobile(100 + i) }])));
  const send = (n: number) =>
    fetch(`${app.url}/trpc/${names(n)}?batch=1`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: inputs(n) });

  const before = await contactCount();
  const tooMany = await asTrpc(await send(21));
  assertTrpcError(tooMany, 400, 'BAD_REQUEST', 'VALIDATION', 'batch');
  assert.match(tooMany.body.error.message, /at most 20/);
  const fiveHundred = await fetch(`${app.url}/trpc/${Array.from({ length: 500 }, () => 'tenants.current').join(',')}?batch=1`, { headers: auth() });
  assert.equal(fiveHundred.status, 400);
  assert.equal(await contactCount(), before, 'no procedure of a refused batch ran');

  // tRPC's other refusals of a batch keep their own words, naming the input.
  const notAnObject = await fetch(`${app.url}/trpc/${names(2)}?batch=1`, {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'application/json' },
    body: '[1]',
  });
  const each = await asTrpc(notAnObject);
  assert.equal(each.body.length, 2, 'one error per call');
  for (const item of each.body) assertTrpcError({ ...each, body: item }, 400, 'BAD_REQUEST', 'VALIDATION', 'input');

  const twenty = await send(20);
  assert.equal(twenty.status, 200);
  assert.equal((await twenty.json()).length, 20);
  assert.equal(await contactCount(), before + 20);
});

test('a compressed body is 415 naming Content-Encoding (tRPC reads bodies as sent)', async () => {
  const res = await fetch(`${app.url}/trpc/contacts.upsert`, {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: JSON.stringify({ name: 'Z', phone: cnMobile(3) }),
  });
  assertTrpcError(await asTrpc(res), 415, 'UNSUPPORTED_MEDIA_TYPE', 'UNSUPPORTED_MEDIA_TYPE', 'Content-Encoding');
});
