// A plain clone is the product: nothing in the repository may lean on a folder beside it,
// and the vendor contracts the simulators check against ship inside it with their source
// and licence.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CONTRACT_PATH } from '../sim/twilio/contract.ts';
import { CONTRACT_DIR } from '../sim/shopify/vendor.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The tracked files (git ls-files); in a copy without git, every file but installed and generated ones. */
function repositoryFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\0')
      .filter(Boolean);
  } catch {
    const skip = new Set(['node_modules', '.git', '.data']);
    const walk = (dir: string): string[] =>
      readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.isDirectory()) return skip.has(e.name) ? [] : walk(rel);
        return e.isFile() ? [rel] : [];
      });
    return walk('');
  }
}

/** Git's own test for binary content: a NUL byte near the start. */
const isBinary = (bytes: Buffer) => bytes.subarray(0, 8000).includes(0);

test('no tracked file refers to a folder beside the repository', () => {
  // Built from parts, so this file does not match itself.
  const needles = [['..', 'shared'].join('/'), ['shared', 'vendor'].join('/'), ['', 'work', 'shared'].join('/')];
  const files = repositoryFiles();
  assert.ok(files.length > 100, `the repository's files were listed (${files.length})`);
  const offenders: string[] = [];
  for (const file of files) {
    const full = path.join(root, file);
    if (!existsSync(full) || !statSync(full).isFile()) continue; // deleted in the work tree
    const bytes = readFileSync(full);
    if (isBinary(bytes)) continue;
    const lines = bytes.toString('utf8').split('\n');
    lines.forEach((line, i) => {
      const hit = needles.find((n) => line.includes(n));
      if (hit) offenders.push(`${file}:${i + 1} mentions ${hit}`);
    });
  }
  assert.deepEqual(offenders, []);
});

test('the simulators read their vendor contracts from inside the repository', () => {
  for (const p of [CONTRACT_PATH, CONTRACT_DIR]) {
    assert.ok(!path.relative(root, p).startsWith('..'), `${p} is inside the repository`);
    assert.ok(existsSync(p), `${p} is there`);
  }
});

test('each vendor contract names its source, commit, date and licence, with the licence text', () => {
  const dir = path.join(root, 'sim', 'contracts');
  const vendors = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  assert.ok(vendors.length >= 2, 'Twilio and Shopify at least');
  for (const vendor of vendors) {
    const readme = readFileSync(path.join(dir, vendor, 'README.md'), 'utf8');
    assert.match(readme, /https:\/\/github\.com\/[\w.-]+\/[\w.-]+/, `${vendor}: the source repository`);
    assert.match(readme, /\b[0-9a-f]{40}\b/, `${vendor}: the commit`);
    assert.match(readme, /\b\d{4}-\d{2}-\d{2}\b/, `${vendor}: the date`);
    assert.match(readme, /Licen[cs]e: /, `${vendor}: the licence`);
    // MIT asks for its notice to travel with the copies.
    const licence = readFileSync(path.join(dir, vendor, 'LICENSE'), 'utf8');
    assert.match(licence, /Permission is hereby granted/);
    assert.match(licence, /Copyright/);
  }
});
