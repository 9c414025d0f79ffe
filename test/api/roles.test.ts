// The README's role table is what each key may do: every procedure is in it under the role
// the code requires, and the real server (REST and tRPC) answers each row as the table says.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { procedures } from '../../api/procedures/index.ts';
import { testApp, type TestApp } from '../support/app.ts';
import { createKey, trpcMutation, trpcQuery, type Role, type TrpcResponse } from '../support/api.ts';

const ROLES: Role[] = ['viewer', 'analyst', 'operator', 'admin'];
/** viewer < operator < admin; an analyst stands with the viewer, and only it and admin get what its column lists (report CSVs). */
const LADDER: Record<Role, number> = { viewer: 0, analyst: 0, operator: 1, admin: 2 };
const allowed = (role: Role, least: Role) => (least === 'analyst' ? role === 'analyst' || role === 'admin' : LADDER[role] >= LADDER[least]);

interface Entry {
  method: string;
  /** As the README writes it: /v1/lines/{id}. */
  path: string;
  role: Role;
  /** Only the bootstrap admin key may (POST /v1/tenants). */
  bootstrapOnly: boolean;
}

/** The entries of the table in README's "The API in brief": `METHOD /path` per role column. */
function roleTable(readme: string): Entry[] {
  const start = readme.indexOf('## The API in brief');
  assert.ok(start >= 0, 'README.md has a section "The API in brief"');
  const end = readme.indexOf('\n## ', start + 1);
  const rows = readme
    .slice(start, end < 0 ? undefined : end)
    .split('\n')
    .filter((l) => l.startsWith('|'));
  const cells = (line: string) =>
    line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
  const header = cells(rows[0] ?? '');
  const columns = header.map((h) => ROLES.find((r) => new RegExp(`\\b${r}\\b`).test(h)));
  assert.deepEqual(columns.filter(Boolean), ROLES, `the role table's columns are ${ROLES.join(', ')} (got: ${header.join(' | ')})`);
  const entries: Entry[] = [];
  for (const row of rows.slice(2)) {
    cells(row).forEach((cell, i) => {
      const role = columns[i];
      if (!role) return;
      for (const m of cell.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`\s]*)`([^`]*)/g)) {
        entries.push({ method: m[1]!, path: m[2]!, role, bootstrapOnly: /bootstrap/i.test(m[3]!) });
      }
    });
  }
  return entries;
}

/** A procedure's route as the README writes it. */
const routeOf = (p: { method: string; path: string }) => `${p.method.toUpperCase()} ${p.path.replace(/:(\w+)/g, '{$1}')}`;

/**
 * A route whose refusal comes after its input is read (only the bootstrap key may create a
 * tenant: that is decided by the handler) is sent a valid body, so the answer is the refusal.
 */
const VALID_BODY: Record<string, unknown> = { 'POST /v1/tenants': { name: 'Role table check', defaultRegion: 'CN' } };
const bodyFor = (e: Entry) => (['POST', 'PUT', 'PATCH'].includes(e.method) ? { body: VALID_BODY[`${e.method} ${e.path}`] ?? {} } : {});

/** A concrete URL for a route: ids that match nothing, connector type hubspot. */
const concrete = (path: string) => path.replace(/\{type\}/g, 'hubspot').replace(/\{\w+\}/g, () => randomUUID());

let app: TestApp;
let entries: Entry[];
const keys = {} as Record<Role, string>;

before(async () => {
  entries = roleTable(await readFile(new URL('../../README.md', import.meta.url), 'utf8'));
  app = await testApp();
  for (const role of ROLES) keys[role] = (await createKey(app, role)).key;
});
after(() => app?.close());

describe("README's role table", () => {
  test('lists every procedure once, under the role the procedure requires', () => {
    const listed = new Map(entries.map((e) => [`${e.method} ${e.path}`, e]));
    assert.equal(listed.size, entries.length, 'no route is listed twice');
    for (const p of procedures) {
      const entry = listed.get(routeOf(p));
      // (A report's CSV is the same procedure asked with format=csv: listed under analyst on its own.)
      assert.ok(entry, `${routeOf(p)} (${p.name}) is missing from the README's role table`);
      assert.equal(entry.role, p.role, `${routeOf(p)} is listed under ${entry.role}; the code requires ${p.role}`);
    }
  });

  test('every route in it answers each key as the table says (403 below its role, served at and above)', async () => {
    for (const e of entries) {
      for (const role of ROLES) {
        const res = await app.request(e.method, concrete(e.path), { key: keys[role], ...bodyFor(e) });
        const what = `${e.method} ${e.path} with a ${role} key`;
        if (e.bootstrapOnly || !allowed(role, e.role)) {
          assert.equal(res.status, 403, `${what}: expected 403, got ${res.status} ${res.text.slice(0, 200)}`);
          assert.equal(res.body.code, 'FORBIDDEN', what);
        } else {
          assert.notEqual(res.status, 403, `${what}: refused, though the table allows it: ${res.text.slice(0, 200)}`);
          // A route that does not exist is a 404 naming the path (an unknown id names its own field).
          assert.ok(!(res.status === 404 && res.body?.field === 'path'), `${what}: no such route`);
        }
      }
      if (e.bootstrapOnly) {
        const res = await app.request(e.method, concrete(e.path), { key: app.adminKey, ...bodyFor(e) });
        assert.notEqual(res.status, 403, `${e.method} ${e.path} with the bootstrap key: ${res.text.slice(0, 200)}`);
      }
    }
  });

  test('tRPC asks the same roles as REST', async () => {
    const byRoute = new Map(procedures.map((p) => [routeOf(p), p]));
    for (const e of entries) {
      const p = byRoute.get(`${e.method} ${e.path}`);
      if (!p || e.bootstrapOnly) continue; // file routes (uploads, exports) are REST only
      for (const role of ROLES) {
        const res: TrpcResponse = p.method === 'get' ? await trpcQuery(app, p.name, {}, keys[role]) : await trpcMutation(app, p.name, {}, { key: keys[role] });
        assert.equal(res.status === 403, !allowed(role, e.role), `tRPC ${p.name} with a ${role} key answered ${res.status}`);
      }
    }
  });
});
