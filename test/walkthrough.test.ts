// The README's "Your first chase, with curl", run as written. Its shell blocks marked
// `<!-- walkthrough -->` go to one bash session, in order, against what the block marked
// `<!-- walkthrough: start -->` starts (`npm start`: package.json's start script, run here as
// the same command) on a fresh data directory and a fresh database. The only edits are the
// ones a reader makes for their own machine: the admin key npm start printed, and the API's
// and simulator's addresses (this test cannot count on ports 3000 and 3001 being free).
// Then each contact's chase must have ended as the README's persona table says.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { findFreePort } from '../api/runtime/embedded-postgres.ts';
import { DEFAULT_PERSONAS_BY_SUFFIX } from '../sim/twilio/index.ts';
import { testDatabase, type TestDatabase } from './support/db.ts';
import { baseEnv, root } from './support/process.ts';
import { printedAdminKey, spawnNode, type Spawned } from './support/spawn.ts';

interface Walkthrough {
  start: string;
  script: string;
  personas: { digit: string; persona: string; status: string; outcome: string | null; events: string[] }[];
  contacts: { name: string; phone: string; digit: string }[];
}

/** The walkthrough as the README has it: its blocks, the persona table and the contacts it imports. */
function readWalkthrough(readme: string): Walkthrough {
  const section = /^## Your first chase, with curl\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
  assert.ok(section, 'README.md has a "Your first chase, with curl" section');
  const blocks = [...section.matchAll(/<!-- walkthrough(: start)? -->\n```sh\n([\s\S]*?)```/g)];
  const start = blocks.filter((b) => b[1]).map((b) => b[2]!.trim());
  assert.equal(start.length, 1, 'one block starts Chaseline');
  const script = blocks
    .filter((b) => !b[1])
    .map((b) => b[2])
    .join('\n');
  const personas = [...section.matchAll(/^\| (\d) \| `([\w-]+)` \| [^|]+ \| ([^|]+) \| ([^|]+) \|$/gm)].map((m) => {
    const [status, outcome] = [...m[3]!.matchAll(/`([\w-]+)`/g)].map((w) => w[1]!);
    return { digit: m[1]!, persona: m[2]!, status: status!, outcome: outcome ?? null, events: [...m[4]!.matchAll(/`([\w-]+)`/g)].map((w) => w[1]!) };
  });
  const csv = /cat > callees\.csv <<'EOF'\n([\s\S]*?)\nEOF/.exec(script)?.[1];
  assert.ok(csv, 'the walkthrough writes callees.csv');
  const contacts = csv
    .split('\n')
    .slice(1)
    .map((line) => {
      const [name, phone] = line.split(',');
      return { name: name!, phone: phone!.replace(/\s/g, ''), digit: phone!.trim().slice(-1) };
    });
  return { start: start[0]!, script, personas, contacts };
}

let db: TestDatabase | undefined;
let dataDir: string;
let workDir: string;
let server: Spawned | undefined;

before(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'chaseline-walkthrough-data-'));
  await chmod(dataDir, 0o755); // as root, an embedded PostgreSQL runs as `postgres` and must get through
  workDir = await mkdtemp(path.join(os.tmpdir(), 'chaseline-walkthrough-'));
  // As CI runs it, on a fresh database of the DATABASE_URL server; else npm start's own embedded one.
  if (process.env.DATABASE_URL) db = await testDatabase({ migrations: false });
});
after(async () => {
  await server?.stop();
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(workDir, { recursive: true, force: true });
});

function bash(script: string, cwd: string, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('bash', ['-c', `set -eo pipefail\n${script}`], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, LANG: 'C.UTF-8' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Replaces `from` (which must occur exactly once) with `to`. */
function substitute(script: string, from: string, to: string): string {
  assert.equal(script.split(from).length - 1, 1, `the walkthrough names ${from} once`);
  return script.replace(from, to);
}

/** The tools the walkthrough needs that a machine may lack (.ci/run installs them). */
const missing = ['bash', 'curl', 'jq', 'xargs'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);

test(
  "the README walkthrough, run as written from a fresh start, ends every persona's chase as the README says",
  { timeout: 420_000, skip: missing.length ? `needs ${missing.join(', ')} (the README says so)` : false },
  async (t) => {
    const walkthrough = readWalkthrough(await readFile(path.join(root, 'README.md'), 'utf8'));
    // The table is the simulator's: every digit, with the persona npm start's simulator gives it.
    assert.deepEqual(Object.fromEntries(walkthrough.personas.map((p) => [p.digit, p.persona])), DEFAULT_PERSONAS_BY_SUFFIX);
    assert.deepEqual(walkthrough.contacts.map((c) => c.digit).sort(), Object.keys(DEFAULT_PERSONAS_BY_SUFFIX).sort(), 'one contact per persona');

    // `npm start` is package.json's start script; run that very command.
    assert.equal(walkthrough.start, 'npm start');
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
    const [node, ...args] = pkg.scripts.start.split(' ');
    assert.equal(node, 'node');
    const port = await findFreePort();
    server = spawnNode(
      args.filter((a) => a !== '--import' && a !== 'tsx'),
      {
        ...baseEnv(),
        PORT: String(port),
        CHASELINE_DATA_DIR: dataDir,
        ...(db ? { DATABASE_URL: db.url } : { CHASELINE_EMBEDDED_PG_PORT: String(await findFreePort()) }),
      },
    );
    const api = (await server.waitFor(/listening on (http:\/\/localhost:\d+) /, 120_000))[1]!;
    const sim = (await server.waitFor(/carrier simulator at (http:\/\/127\.0\.0\.1:\d+):/))[1]!;
    const key = printedAdminKey(server.stderr());
    assert.ok(key, `npm start printed the admin key:\n${server.stderr()}`);

    let script = substitute(walkthrough.script, 'http://localhost:3000', api);
    script = substitute(script, 'http://127.0.0.1:3001', sim);
    script = substitute(script, 'chl_...', key);
    const started = Date.now();
    const run = await bash(script, workDir, 300_000);
    t.diagnostic(`the walkthrough took ${Math.round((Date.now() - started) / 1000)} s; it printed:`);
    for (const line of run.stdout.trimEnd().split('\n')) t.diagnostic(line);
    assert.equal(run.code, 0, `the walkthrough failed:\n${run.stdout}\n${run.stderr}\n--- server ---\n${server.stderr()}`);

    const get = async (p: string) => {
      const res = await fetch(`${api}${p}`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(res.status, 200, p);
      return (await res.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    for (const contact of walkthrough.contacts) {
      const expected = walkthrough.personas.find((p) => p.digit === contact.digit)!;
      const found = await get(`/v1/contacts?phone=${encodeURIComponent(contact.phone)}`);
      const chases = await get(`/v1/chases?contactId=${found.items[0].id}`);
      assert.equal(chases.items.length, 1, `${contact.name} has one chase`);
      const chase = await get(`/v1/chases/${chases.items[0].id}`);
      const events: string[] = chase.timeline.map((e: { type: string }) => e.type);
      const what = `${contact.name} (${expected.persona}): ${chase.status}/${chase.outcome} after ${events.join(', ')}`;
      assert.equal(chase.status, expected.status, what);
      if (expected.outcome) assert.equal(chase.outcome, expected.outcome, what);
      for (const event of expected.events) assert.ok(events.includes(event), `${what}: no ${event}`);
      // What the walkthrough's `follow` printed for them.
      assert.match(run.stdout, new RegExp(`^${contact.name}: ${chase.status} ${chase.outcome ?? ''} ← `, 'm'), run.stdout);
    }
    assert.match(run.stdout, /^302 → https:\/\/shop\.example\/cart\/42$/m, 'the link in the text redirects to the cart');
    assert.match(run.stdout, /^link-clicked$/m, "the click is on Ben's timeline");
  },
);
