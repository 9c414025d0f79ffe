import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { createPii } from '../../core/privacy/pii.ts';
import { csvBytes } from '../support/data.ts';
import { testDatabase, type TestDatabase } from '../support/db.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
let db: TestDatabase;
let dir: string;
const oldKey = randomBytes(32);
const newKey = randomBytes(32);

before(async () => {
  db = await testDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'chaseline-cli-'));
});
after(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/cli.ts', ...args], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      TMPDIR: os.tmpdir(),
      DATABASE_URL: db.url,
      CHASELINE_ENCRYPTION_KEY: oldKey.toString('base64'),
      CHASELINE_DATA_DIR: path.join(dir, 'data'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function file(name: string, bytes: Buffer): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, bytes);
  return p;
}

const query = async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.pool.query<T>(sql, params)).rows;

const CONTACTS = [
  '姓名,手机号,邮箱,标签,渠道',
  '宋佳,13800138000,song.jia@example.cn,VIP,展会',
  'Fatima Al-Sayed,+971 50 123 4567,fatima.alsayed@example.ae,,LinkedIn',
  '',
  '韩梅梅,abc,han.meimei@example.cn,,',
  'Tomás Novák,+420 601 123 456,tomas.novak@example.cz,EU,',
  '宋佳,+86 138 0013 8000,,回访,',
  '李雷,15912345678,li.lei@@example,,',
];

test('import FILE prints the outcome as JSON and the contacts land', async () => {
  const run = await cli(['import', await file('客户.csv', csvBytes(CONTACTS, { bom: true }))]);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.kind, 'contacts');
  assert.equal(result.total, result.created + result.updated + result.rejected.length);
  assert.deepEqual({ total: result.total, created: result.created, updated: result.updated }, { total: 6, created: 3, updated: 1 });
  assert.deepEqual(result.rejected, [
    { row: 5, column: '手机号', reason: 'phone: invalid characters' },
    { row: 8, column: '邮箱', reason: 'email is not a valid address' },
  ]);

  const pii = createPii(oldKey);
  const rows = await query<{ phone_enc: string; name_enc: string; tags: string[]; attributes: Record<string, string> }>(
    `select phone_enc, name_enc, tags, attributes from contacts order by created_at`,
  );
  const byPhone = new Map(rows.map((r) => [pii.decrypt(r.phone_enc), r]));
  assert.deepEqual([...byPhone.keys()].sort(), ['+420601123456', '+8613800138000', '+971501234567']);
  const song = byPhone.get('+8613800138000')!;
  assert.equal(pii.decrypt(song.name_enc), '宋佳');
  assert.deepEqual([...song.tags].sort(), ['VIP', '回访'].sort());
  assert.deepEqual(song.attributes, { 渠道: '展会' });
  const [stored] = await query<{ status: string; total: number; created: number }>(`select status, total, created from imports where id = $1`, [result.id]);
  assert.deepEqual(stored, { status: 'done', total: 6, created: 3 });
  assert.ok(!run.stdout.includes('song.jia@example.cn') && !run.stderr.includes('宋佳'), 'no PII on the terminal');
});

test('import --kind do-not-call --channel sms and --region US', async () => {
  const dnc = await cli([
    'import',
    await file('dnc.csv', csvBytes(['mobile', '138 0013 8000', '(415) 555-2671'])),
    '--kind',
    'do-not-call',
    '--channel',
    'sms',
    '--region',
    'US',
  ]);
  assert.equal(dnc.code, 0, dnc.stderr);
  const result = JSON.parse(dnc.stdout);
  assert.equal(result.kind, 'do-not-call');
  // Read as US numbers, the Chinese mobile without +86 is not valid; the US one is.
  assert.deepEqual({ total: result.total, created: result.created, rejected: result.rejected.length }, { total: 2, created: 1, rejected: 1 });
  const pii = createPii(oldKey);
  const events = await query<{ phone_enc: string; channel: string; source: string }>(`select phone_enc, channel, source from consent_events`);
  assert.deepEqual(
    events.map((e) => [pii.decrypt(e.phone_enc), e.channel, e.source]),
    [['+14155552671', 'sms', 'import']],
  );

  const badKind = await cli(['import', path.join(dir, 'dnc.csv'), '--kind', 'blocklist']);
  assert.equal(badKind.code, 1);
  assert.match(badKind.stderr, /--kind must be one of contacts, do-not-call/);
});

test('a missing file fails with exit code 1 and a message, nothing on stdout', async () => {
  const run = await cli(['import', path.join(dir, 'does-not-exist.csv')]);
  assert.equal(run.code, 1);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^chaseline: .*does-not-exist\.csv/m);
});

test('rotate-key re-encrypts with the new key and prints its id; without the old key it refuses', async () => {
  const before = await query<{ phone_enc: string }>(`select phone_enc from contacts`);
  assert.ok(before.length > 0);
  const refused = await cli(['rotate-key'], { CHASELINE_ENCRYPTION_KEY: newKey.toString('base64') });
  assert.notEqual(refused.code, 0, 'rotating without the old key cannot decrypt anything');
  assert.deepEqual(await query(`select phone_enc from contacts`), before, 'nothing was changed');

  const run = await cli(['rotate-key'], {
    CHASELINE_ENCRYPTION_KEY: newKey.toString('base64'),
    CHASELINE_PREVIOUS_ENCRYPTION_KEYS: oldKey.toString('base64'),
  });
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  const newPii = createPii(newKey);
  assert.equal(out.keyId, newPii.currentKeyId);
  assert.notEqual(out.keyId, createPii(oldKey).currentKeyId);
  assert.deepEqual(out.rotated, { contacts: 3, consent_events: 1, idempotency_keys: 0 });
  for (const r of await query<{ phone_enc: string; name_enc: string }>(`select phone_enc, name_enc from contacts`)) {
    assert.ok(r.phone_enc.startsWith(`${out.keyId}:`) && r.name_enc.startsWith(`${out.keyId}:`));
    newPii.decrypt(r.phone_enc);
  }

  // With only the new key, the same file updates the same contacts.
  const again = await cli(['import', path.join(dir, '客户.csv')], { CHASELINE_ENCRYPTION_KEY: newKey.toString('base64') });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout).created, 0);
  assert.equal((await query(`select 1 from contacts`)).length, 3);

  const rerun = await cli(['rotate-key'], { CHASELINE_ENCRYPTION_KEY: newKey.toString('base64') });
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.deepEqual(JSON.parse(rerun.stdout).rotated, { contacts: 0, consent_events: 0, idempotency_keys: 0 });
});
