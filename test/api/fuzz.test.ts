// The served OpenAPI document drives a fuzz of every REST operation: malformed, oversized,
// deeply nested, NUL-bearing, surrogate-bearing and wrongly-typed input in body, query and path,
// with a valid admin key (and some with none, a bad one, a viewer's). No answer may be a 5xx;
// every 4xx is problem+json with a code; no body shows a stack trace, SQL or a file path.
// The same through /trpc for every procedure, single and batched. Seeded: FUZZ_SEED=… repeats a run.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { cnMobile, createKey } from '../support/api.ts';
import { campaignBody } from '../support/data.ts';
import { procedures } from '../../api/procedures/index.ts';
import {
  SEED,
  badCursors,
  badParams,
  deepJson,
  fileBodies,
  inParallel,
  leakIn,
  rawBodies,
  rng,
  sampleOf,
  variantsOf,
  type Rng,
  type Schema,
  type Variant,
} from '../support/fuzz.ts';
import { validInputs, type ValidInput } from '../support/fuzz.inputs.ts';

const PARALLEL = 4;
/** Requests sent with a wrong key, below the failed-authentication limit (api/http/auth-limit.ts). */
let badKeysLeft = 10;

let app: TestApp;
let doc: Schema;
let viewerKey: string;
/** Real rows by the resource a path names, so that fuzzed requests reach past "not found" into the handlers. */
const ids: Record<string, string> = {};
let valid: Record<string, ValidInput>;

before(async () => {
  app = await testEngineApp({ worker: false });
  doc = (await app.request('GET', '/openapi.json', { key: null })).body;
  viewerKey = (await createKey(app, 'viewer')).key;
  ids['api-keys'] = (await createKey(app, 'operator')).id;
  const made = async (path: string, body: unknown) => {
    const res = await app.request('POST', path, { body });
    assert.ok(res.status < 300, `${path}: ${res.text}`);
    return res.body.id as string;
  };
  ids.contacts = await made('/v1/contacts', { name: 'Fuzz', phone: cnMobile(1), tags: ['fuzz'], attributes: { note: 'x' } });
  ids.segments = await made('/v1/segments', { name: 'fuzz', definition: { kind: 'rules', tiers: [{ name: 'tagged', when: { tag: 'fuzz' } }] } });
  ids.campaigns = await made('/v1/campaigns', campaignBody());
  const activeCampaign = await made('/v1/campaigns', campaignBody({ name: 'stays active' }));
  ids.lines = await made('/v1/lines', { name: 'fuzz line', fromNumber: '+14155550100' });
  ids.chases = await made('/v1/chases', { campaignId: ids.campaigns, contact: { id: ids.contacts } });
  valid = validInputs({ contact: ids.contacts, segment: ids.segments, campaign: ids.campaigns, activeCampaign });
});
after(() => app?.close());

interface Sent {
  label: string;
  status: number;
  type: string;
  text: string;
}

const failures: string[] = [];
const fail = (s: Sent, why: string) => failures.push(`${s.label} → ${s.status}: ${why} — ${s.text.slice(0, 300)}`);
/** Node's HTTP parser refuses a URL past its header limit (16 KB) before any of our code runs. */
const nodeHeaderLimit = (s: Sent) => s.status === 431 && s.text === '';

/** The rules every answer obeys, REST and tRPC alike. */
function checkAnswer(s: Sent) {
  if (s.status >= 500) fail(s, 'a 5xx');
  const leak = leakIn(s.text);
  if (leak) fail(s, `leaks ${leak}`);
}

function checkProblem(s: Sent) {
  checkAnswer(s);
  if (s.status < 400 || s.status >= 500 || nodeHeaderLimit(s)) return;
  if (!/^application\/problem\+json/.test(s.type)) return fail(s, `a ${s.status} that is not problem+json (${s.type})`);
  try {
    const body = JSON.parse(s.text);
    if (typeof body.code !== 'string' || !body.code) fail(s, 'a problem without a code');
  } catch {
    fail(s, 'a problem that is not JSON');
  }
}

/** tRPC errors: our data.code on each, in tRPC's error shape. */
function checkTrpc(s: Sent) {
  checkAnswer(s);
  if (s.status < 400 || s.status >= 500 || nodeHeaderLimit(s)) return;
  let body: unknown;
  try {
    body = JSON.parse(s.text);
  } catch {
    return fail(s, 'a tRPC error that is not JSON');
  }
  for (const item of Array.isArray(body) ? body : [body]) {
    const error = (item as { error?: { data?: { code?: unknown } } }).error;
    if (error && typeof error.data?.code !== 'string') fail(s, 'a tRPC error without data.code');
  }
}

type Init = RequestInit & { key?: string | null };

async function send(label: string, url: string, init: Init): Promise<Sent> {
  const headers = new Headers(init.headers);
  const key = init.key === undefined ? app.adminKey : init.key;
  if (key) headers.set('authorization', `Bearer ${key}`);
  try {
    const res = await fetch(app.url + url, { ...init, headers, signal: AbortSignal.timeout(20_000) });
    return { label, status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') return { label, status: 599, type: '', text: 'no answer within 20 s' };
    // The server closed the connection on a body it refused while it was still being sent.
    return { label, status: 0, type: '', text: String(err) };
  }
}

function finish(what: string, sent: Sent[], t: { diagnostic(message: string): void }) {
  assert.ok(sent.length > 0);
  const answered = sent.filter((s) => s.status >= 200 && s.status < 300).length;
  t.diagnostic(`${what}: ${sent.length} requests, ${answered} succeeded, FUZZ_SEED=${SEED}`);
  assert.deepEqual(failures.splice(0), [], `${what}: FUZZ_SEED=${SEED} reproduces these (${sent.length} requests)`);
  // A fuzz that only ever hit validation errors would prove little: some requests get through.
  assert.ok(answered > sent.length / 50, `${what}: only ${answered} of ${sent.length} requests succeeded`);
}

interface Operation {
  method: string;
  path: string;
  id: string;
  params: { name: string; in: string; schema: Schema }[];
  body?: Schema;
  bodyTypes: string[];
}

function operations(): Operation[] {
  return Object.entries<Record<string, Schema>>(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      id: op.operationId,
      params: op.parameters ?? [],
      body: op.requestBody?.content?.['application/json']?.schema,
      bodyTypes: Object.keys(op.requestBody?.content ?? {}),
    })),
  );
}

const hintsFor = (r: Rng) => ({ uuid: () => r.pick([...Object.values(ids), randomUUID()]) });

/** Path parameters: real ids where there are some, the known-good value, else a sample. */
function pathValues(op: Operation, r: Rng): Record<string, string> {
  const resource = op.path.split('/')[2]!;
  return Object.fromEntries(
    op.params
      .filter((p) => p.in === 'path')
      .map((p) => [
        p.name,
        p.name === 'id' ? (ids[resource] ?? randomUUID()) : (valid[op.id]?.path?.[p.name] ?? String(sampleOf(p.schema, doc, hintsFor(r), false))),
      ]),
  );
}

const fill = (op: Operation, values: Record<string, string>) =>
  op.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    values[name] === undefined ? '' : /%/.test(values[name]!) ? values[name]! : encodeURIComponent(values[name]!),
  );

/** The valid body of an operation, and the malformed ones: all bad-text variants, a seeded share of the rest. */
function bodiesOf(id: string, schema: Schema | undefined, r: Rng): { base: unknown[]; variants: Variant[] } {
  const full = valid[id]?.body ?? sampleOf(schema, doc, hintsFor(r), true);
  const { text, other } = variantsOf(full, r);
  return { base: [full, sampleOf(schema, doc, hintsFor(r), false)], variants: [...r.take(text, 60), ...r.take(other, 20)] };
}

function restCases(op: Operation): { label: string; url: string; init: Init }[] {
  const r = rng(SEED + op.id.length * 7919 + op.path.length);
  const path = pathValues(op, r);
  const url = fill(op, path);
  const at = `${op.method} ${op.path}`;
  const cases: ReturnType<typeof restCases> = [];
  const emptyJson = op.body ? { body: '{}', headers: { 'content-type': 'application/json' } } : {};
  const add = (label: string, init: Init, to = url) => cases.push({ label: `${at} ${label}`, url: to, init: { method: op.method, ...init } });

  for (const [who, key] of [
    ['no key', null],
    ['a viewer', viewerKey],
  ] as const)
    add(`with ${who}`, { key, ...emptyJson });
  // Twenty failed keys a minute block the address whatever key it sends next: a few bad keys only.
  if (badKeysLeft > 0 && r.next() < 0.5) {
    badKeysLeft--;
    add('with a bad key', { key: 'chl_fuzz_not_a_key', ...emptyJson });
  }
  if (op.body) {
    const { base, variants } = bodiesOf(op.id, op.body, r);
    const json = (body: string, extra: Record<string, string> = {}) => ({ body, headers: { 'content-type': 'application/json', ...extra } });
    base.forEach((b, i) => add(i ? 'schema sample' : 'valid input', json(JSON.stringify(b))));
    add('root 5000 deep', json(deepJson(5000)));
    for (const v of variants) add(v.label, json(v.raw ?? JSON.stringify(v.value)));
    for (const raw of rawBodies) add(raw.label, { body: raw.body, headers: raw.headers });
    add('with a 300-character Idempotency-Key', json(JSON.stringify(base[0]), { 'idempotency-key': 'k'.repeat(300) }));
  } else if (op.bodyTypes.length === 0) {
    add('plain', {});
  } else {
    for (const file of fileBodies) add(file.label, { body: file.body, headers: file.headers });
  }
  for (const p of op.params.filter((x) => x.in === 'path')) {
    for (const bad of badParams) add(`${p.name}=${bad.slice(0, 30)}`, emptyJson, fill(op, { ...path, [p.name]: bad || '%20' }));
  }
  for (const p of op.params.filter((x) => x.in === 'query')) {
    for (const bad of p.name === 'cursor' ? badCursors : [...r.take(badParams, 8), '%00']) add(`?${p.name}=${bad.slice(0, 30)}`, {}, `${url}?${p.name}=${bad}`);
    add(`?${p.name} twice`, {}, `${url}?${p.name}=a&${p.name}=b`);
  }
  return cases;
}

describe('REST, every operation of /openapi.json', () => {
  test('no 5xx, problem+json with a code for every 4xx, nothing leaked', { timeout: 240_000 }, async (t) => {
    const ops = operations();
    assert.ok(ops.length >= 40, `the document lists ${ops.length} operations`);
    const cases = ops.flatMap(restCases);
    const sent = await inParallel(
      cases.map((c) => () => send(c.label, c.url, c.init)),
      PARALLEL,
    );
    sent.forEach(checkProblem);
    finish('REST', sent, t);
  });
});

describe('tRPC, every procedure', () => {
  test('single and batched calls: no 5xx, data.code on every error, nothing leaked', { timeout: 240_000 }, async (t) => {
    const ops = new Map(operations().map((o) => [o.id, o]));
    const tasks: (() => Promise<Sent>)[] = [];
    const call = (label: string, names: string[], inputs: (string | undefined)[], kind: 'query' | 'mutation', extra: Init = {}) => {
      const batch = names.length > 1;
      const path = `/trpc/${names.join(',')}${batch ? '?batch=1' : ''}`;
      const input = batch ? `{${inputs.flatMap((t, i) => (t === undefined ? [] : [`"${i}":${t}`])).join(',')}}` : inputs[0];
      if (kind === 'query') {
        const qs = input === undefined ? '' : `${batch ? '&' : '?'}input=${encodeURIComponent(input)}`;
        tasks.push(() => send(label, path + qs, { method: 'GET', ...extra }));
      } else {
        tasks.push(() => send(label, path, { method: 'POST', body: input, headers: { 'content-type': 'application/json' }, ...extra }));
      }
    };
    const byKind: Record<'query' | 'mutation', string[]> = { query: [], mutation: [] };
    for (const p of procedures) {
      const kind = p.method === 'get' ? 'query' : 'mutation';
      byKind[kind].push(p.name);
      const op = ops.get(p.name)!;
      const r = rng(SEED + p.name.length * 104729);
      const { base, variants } = bodiesOf(p.name, op.body, r);
      const input = (v: unknown) => JSON.stringify({ ...(v as object), ...pathValues(op, r) });
      call(`trpc ${p.name} valid input`, [p.name], [input(base[0])], kind);
      for (const v of variants.slice(0, 40)) call(`trpc ${p.name} ${v.label}`, [p.name], [v.raw ?? input(v.value)], kind);
      call(`trpc ${p.name} malformed JSON`, [p.name], ['{"a":'], kind);
      // A query's input travels in the URL, which Node caps at 16 KB: arrays nest deepest in it.
      call(`trpc ${p.name} deeply nested`, [p.name], [kind === 'query' ? deepJson(1500, '[', ']') : deepJson(5000)], kind);
      call(`trpc ${p.name} with no key`, [p.name], ['{}'], kind, { key: null });
      call(`trpc ${p.name} with the wrong method`, [p.name], ['{}'], kind === 'query' ? 'mutation' : 'query');
      if (op.params.some((x) => x.name === 'cursor')) {
        for (const cursor of badCursors) call(`trpc ${p.name} cursor ${cursor.slice(0, 30)}`, [p.name], [JSON.stringify({ cursor })], kind);
      }
    }
    for (const kind of ['query', 'mutation'] as const) {
      const names = byKind[kind];
      const r = rng(SEED + (kind === 'query' ? 1 : 2));
      for (let i = 0; i < 10; i++) {
        const chosen = r.take(names, 3);
        call(
          `trpc batch ${chosen.join(',')}`,
          chosen,
          chosen.map(() => r.pick(['{}', '{"id":"\\u0000"}', '"\\ud800"', deepJson(200, '[', ']'), 'null'])),
          kind,
        );
      }
      call(
        `trpc batch of 21 ${kind}`,
        Array.from({ length: 21 }, (_, i) => names[i % names.length]!),
        [],
        kind,
      );
      call(
        `trpc batch of 500 ${kind}`,
        Array.from({ length: 500 }, () => names[0]!),
        [],
        kind,
      );
      call('trpc batch with mixed-up inputs', names.slice(0, 2), ['[]', '"x"'], kind);
    }
    call('trpc unknown procedure', ['nothing.here'], ['{}'], 'query');
    for (const raw of rawBodies) {
      tasks.push(() => send(`trpc contacts.upsert ${raw.label}`, '/trpc/contacts.upsert', { method: 'POST', body: raw.body, headers: raw.headers }));
    }
    const sent = await inParallel(tasks, PARALLEL);
    sent.forEach(checkTrpc);
    finish('tRPC', sent, t);
  });
});
