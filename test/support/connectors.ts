/** A connector as the API shows it, a sync through the API, and the outbox drained: for the CRM tests at the HTTP server. */
import assert from 'node:assert/strict';
import type { TestApp } from './app.ts';
import { eventually } from './data.ts';

export interface ConnectorView {
  type: string;
  syncStatus: string | null;
  lastSyncAt: string | null;
  lastError: string | null;
  cursor: unknown;
  outbox: { pending: number; dead: number };
}

export const connectorState = async (app: TestApp, type: string): Promise<ConnectorView> =>
  (await app.request('GET', '/v1/connectors')).body.items.find((c: { type: string }) => c.type === type);

/** POST …/sync, then waits for that sync to end well (a failed one throws with its error). */
export async function syncConnector(app: TestApp, type: string): Promise<ConnectorView> {
  const before = (await connectorState(app, type))?.lastSyncAt;
  assert.equal((await app.request('POST', `/v1/connectors/${type}/sync`)).status, 202);
  return eventually(
    async () => {
      const s = await connectorState(app, type);
      if (s.syncStatus === 'failed') throw new Error(`the sync failed: ${s.lastError}`);
      return s.syncStatus === 'ok' && s.lastSyncAt !== before && s;
    },
    'the sync to finish',
    30_000,
  );
}

export const outboxDrained = (app: TestApp, type: string) =>
  eventually(async () => (await connectorState(app, type)).outbox.pending === 0, 'the outbox to drain', 20_000);
