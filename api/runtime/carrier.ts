/**
 * Which carrier this process uses, and the built-in simulator's credentials.
 *
 * The simulator signs its callbacks (X-Twilio-Signature) and Chaseline verifies them with the
 * same auth token. A token written in the source would let anyone forge a webhook (a STOP that
 * opts a contact out, a /voice fetch that returns TwiML with their name), so the token is a
 * secret generated once per installation into the data directory, as the development
 * encryption key is: mode 0600, created by whichever process comes first, read by every later
 * start and by separate `api` and `worker` processes on the same machine, so they agree.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.ts';

export type CarrierMode = 'twilio' | 'simulator';

/** CHASELINE_CARRIER when set; otherwise Twilio when its credentials are, else the simulator (config.ts refuses that in production). */
export function carrierMode(config: Pick<Config, 'CHASELINE_CARRIER' | 'TWILIO_ACCOUNT_SID' | 'TWILIO_AUTH_TOKEN'>): CarrierMode {
  if (config.CHASELINE_CARRIER) return config.CHASELINE_CARRIER;
  return config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN ? 'twilio' : 'simulator';
}

export const SIMULATOR_SECRET_FILE = 'simulator.secret';
const TOKEN = /^[0-9a-f]{64}$/;

export interface SimulatorCredentials {
  accountSid: string;
  authToken: string;
  /** Where the secret lives. */
  file: string;
  /** This call generated it (first start of the installation). */
  created: boolean;
}

/** The installation's simulator credentials from `dataDir`, generated there on first use. */
export async function simulatorCredentials(dataDir: string): Promise<SimulatorCredentials> {
  const file = path.resolve(dataDir, SIMULATOR_SECRET_FILE);
  await mkdir(path.dirname(file), { recursive: true });
  let created = false;
  try {
    // 'wx': of two processes starting at once, exactly one writes; the other reads its secret.
    await writeFile(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const authToken = await readToken(file);
  // Not secret (it is in every REST path), but per installation too, derived so one file is enough.
  const accountSid = `AC${createHash('sha256').update(`chaseline-simulator-account:${authToken}`).digest('hex').slice(0, 32)}`;
  return { accountSid, authToken, file, created };
}

/** The token in `file`; a racing writer may not have flushed it yet, so an empty file is read again briefly. */
async function readToken(file: string): Promise<string> {
  for (let tries = 0; ; tries++) {
    const token = (await readFile(file, 'utf8')).trim();
    if (TOKEN.test(token)) return token;
    if (token !== '' || tries >= 20) {
      throw new Error(`${file} does not hold a simulator secret (64 hex digits): delete it and start again to generate a new one`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
