/**
 * One statement on a server-level connection (CREATE or DROP DATABASE cannot run in a pool's
 * transaction): for the throwaway databases of tests, benchmarks and the demo.
 */
import pg from 'pg';

export async function adminQuery(url: string, sql: string, applicationName = 'chaseline-admin'): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}
