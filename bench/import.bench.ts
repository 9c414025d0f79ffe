/**
 * Import benchmark: a 100,000-row CSV POSTed to /v1/imports on the real HTTP server, twice
 * (first all new contacts, then the same file again: all updates). Reports rows per second
 * and the process's peak RSS (server and client share the process, so this is an upper bound).
 *
 *   npm run bench:import                 # embedded PostgreSQL in a temp dir
 *   DATABASE_URL=postgres://… npm run bench:import -- --rows 100000
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { pino } from 'pino';
import { createApp } from '../api/app.ts';
import { createPool } from '../core/db/pool.ts';
import { openBenchDatabase } from './support.ts';
import { migrate } from '../core/db/migrate.ts';
import { createPii } from '../core/privacy/pii.ts';
import { bootstrapDefaultTenant } from '../core/tenants/tenants.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' } } });
const ROWS = Number(values.rows);

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '强', '磊', '洋', '艳', '军', '杰', '娟'];
const PREFIXES = ['130', '131', '132', '135', '136', '137', '138', '139', '150', '151', '152', '158', '159', '186', '187', '188'];
const TAGS = ['vip', '新客', '复购', '高意向', 'abandoned-cart'];

/** Writes a realistic contacts CSV: Chinese headers, mobile numbers in mixed formats, 2% bad rows. */
async function writeCsv(file: string, rows: number) {
  const out = createWriteStream(file);
  out.write('\uFEFF姓名,手机号,邮箱,标签,订单金额,城市\n');
  for (let i = 0; i < rows; i++) {
    const prefix = PREFIXES[i % PREFIXES.length]!;
    const subscriber = String(10_000_000 + ((i * 7919) % 89_999_999)).padStart(8, '0');
    const formats = [
      `${prefix}${subscriber}`,
      `+86 ${prefix} ${subscriber.slice(0, 4)} ${subscriber.slice(4)}`,
      `${prefix}-${subscriber.slice(0, 4)}-${subscriber.slice(4)}`,
    ];
    const phone = i % 50 === 49 ? `${prefix}12x` : formats[i % 3]!;
    const name = SURNAMES[i % SURNAMES.length]! + GIVEN[(i >> 3) % GIVEN.length]!;
    const line = `${name},${phone},user${i}@example.com,"${TAGS[i % TAGS.length]},${TAGS[(i >> 2) % TAGS.length]}",${(i % 1000) + 0.5},城市${i % 300}\n`;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
}

async function main() {
  const database = await openBenchDatabase();
  const tmp = database.tmp;
  const pool = createPool(database.url);
  await migrate(pool);
  const deps = { db: pool, pii: createPii(randomBytes(32)) };
  const adminKey = `chl_bench_${randomBytes(16).toString('hex')}`;
  await bootstrapDefaultTenant(deps, { adminKey, defaultRegion: 'CN' });
  const server = createApp({ deps, log: pino({ level: 'warn' }), maxUploadBytes: 1 << 30 }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const file = path.join(tmp, 'contacts.csv');
  await writeCsv(file, ROWS);
  const bytes = (await stat(file)).size;
  const results = [];
  try {
    for (const label of ['first import (creates)', 're-import (updates)']) {
      const started = performance.now();
      const res = await fetch(`${base}/v1/imports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'text/csv' },
        body: Readable.toWeb(createReadStream(file)) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      const body = (await res.json()) as { total: number; created: number; updated: number; rejected: unknown[] };
      const seconds = (performance.now() - started) / 1000;
      if (res.status !== 201) throw new Error(`import failed: ${res.status} ${JSON.stringify(body)}`);
      results.push({
        run: label,
        rows: body.total,
        created: body.created,
        updated: body.updated,
        rejected: body.rejected.length,
        seconds: Number(seconds.toFixed(2)),
        rowsPerSecond: Math.round(body.total / seconds),
      });
    }
  } finally {
    server.close();
    await pool.end();
    await database.drop();
  }
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ fileMb: Number((bytes / 1048576).toFixed(1)), results, peakRssMb, node: process.version, cpus: os.cpus().length }, null, 2));
}

await main();
