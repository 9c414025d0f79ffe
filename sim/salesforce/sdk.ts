// The official client pointed at the simulator, as DESIGN.md describes: an access-token
// AuthInfo (no network at creation) and a Connection pinned to an API version.
import { AuthInfo, Connection } from '@salesforce/core';
import type { SalesforceSim } from './index.ts';

export async function simConnection(sim: Pick<SalesforceSim, 'url' | 'accessToken'>, version = '62.0', accessToken = sim.accessToken): Promise<Connection> {
  const authInfo = await AuthInfo.create({ username: accessToken, accessTokenOptions: { accessToken, instanceUrl: sim.url } });
  return Connection.create({ authInfo, connectionOptions: { version } });
}
