import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { testDatabase, type TestDatabase } from '../../test/support/db.ts';
import { createPool } from './pool.ts';
import { migrate } from './migrate.ts';

describe('migrate', () => {
  let db: TestDatabase;
  let dir: string;
  const dirs: string[] = [];

  beforeEach(async () => {
    db = await testDatabase({ migrations: false });
    dir = await mkdtemp(path.join(os.tmpdir(), 'chaseline-migrations-'));
    dirs.push(dir);
  });
  afterEach(() => db.drop());
  after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  const files = (entries: Record<string, string>) => Promise.all(Object.entries(entries).map(([name, sql]) => writeFile(path.join(dir, name), sql)));
  const steps = async () => (await db.pool.query<{ step: string }>('SELECT step FROM log ORDER BY id')).rows.map((r) => r.step);
  const recorded = async () =>
    (await db.pool.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY applied_at, version')).rows.map((r) => r.version);

  test('applies pending files in numeric order and records them', async () => {
    await files({
      '01_create.sql': "CREATE TABLE log (id serial PRIMARY KEY, step text NOT NULL);\nINSERT INTO log (step) VALUES ('create');",
      '2_second.sql': "INSERT INTO log (step) VALUES ('second');",
      '10_tenth.sql': "INSERT INTO log (step) VALUES ('tenth');",
      '9_ninth.sql': "INSERT INTO log (step) VALUES ('ninth');",
      'README.md': 'not a migration',
    });
    assert.deepEqual(await migrate(db.pool, dir), ['01_create', '2_second', '9_ninth', '10_tenth']);
    assert.deepEqual(await steps(), ['create', 'second', 'ninth', 'tenth']);
    assert.deepEqual(new Set(await recorded()), new Set(['01_create', '2_second', '9_ninth', '10_tenth']));
  });

  test('is idempotent and applies only files added since', async () => {
    await files({
      '001_create.sql': 'CREATE TABLE log (id serial PRIMARY KEY, step text NOT NULL);',
      '002_one.sql': "INSERT INTO log (step) VALUES ('one');",
    });
    assert.deepEqual(await migrate(db.pool, dir), ['001_create', '002_one']);
    assert.deepEqual(await migrate(db.pool, dir), []);
    await files({ '003_two.sql': "INSERT INTO log (step) VALUES ('two');" });
    assert.deepEqual(await migrate(db.pool, dir), ['003_two']);
    assert.deepEqual(await steps(), ['one', 'two']);
  });

  test('concurrent runs apply each file exactly once', async () => {
    await files({
      // The sleep keeps the first run inside the lock while the others arrive.
      '001_create.sql': 'CREATE TABLE log (id serial PRIMARY KEY, step text NOT NULL); SELECT pg_sleep(0.3);',
      '002_one.sql': "INSERT INTO log (step) VALUES ('one');",
      '003_two.sql': "INSERT INTO log (step) VALUES ('two');",
    });
    // Separate pools stand in for separate processes starting together.
    const pools = Array.from({ length: 4 }, () => createPool(db.url, { max: 1 }));
    try {
      const results = await Promise.all(pools.map((pool) => migrate(pool, dir)));
      assert.deepEqual(results.flat().sort(), ['001_create', '002_one', '003_two']);
      assert.equal(results.filter((r) => r.length > 0).length, 1);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
    assert.deepEqual(await steps(), ['one', 'two']);
  });

  test('a failing migration rolls back, is not recorded, and can be retried once fixed', async () => {
    await files({
      '001_create.sql': 'CREATE TABLE log (id serial PRIMARY KEY, step text NOT NULL);',
      '002_broken.sql': "CREATE TABLE half_done (x int);\nINSERT INTO log (step) VALUES ('broken');\nSELECT 1/0;",
      '003_after.sql': "INSERT INTO log (step) VALUES ('after');",
    });
    await assert.rejects(migrate(db.pool, dir), (err: Error) => {
      assert.match(err.message, /002_broken\.sql/);
      assert.match(err.message, /division by zero/);
      return true;
    });
    assert.deepEqual(await recorded(), ['001_create']);
    assert.deepEqual(await steps(), []);
    const { rows } = await db.pool.query("SELECT to_regclass('half_done') AS t");
    assert.equal(rows[0].t, null);

    // The lock was released: a fixed file goes through on the next run.
    await files({ '002_broken.sql': "INSERT INTO log (step) VALUES ('fixed');" });
    assert.deepEqual(await migrate(db.pool, dir), ['002_broken', '003_after']);
    assert.deepEqual(await steps(), ['fixed', 'after']);
  });

  test('refuses badly named or duplicate-numbered files before touching the database', async () => {
    await files({ '001_a.sql': 'SELECT 1;', '1_b.sql': 'SELECT 1;' });
    await assert.rejects(migrate(db.pool, dir), /share number 1/);
    await rm(path.join(dir, '1_b.sql'));
    await files({ 'init.sql': 'SELECT 1;' });
    await assert.rejects(migrate(db.pool, dir), /named like 001_name\.sql/);
    const { rows } = await db.pool.query("SELECT to_regclass('schema_migrations') AS t");
    assert.equal(rows[0].t, null);
  });
});
