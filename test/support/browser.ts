/**
 * The console in a real browser: Debian's Chromium driven by playwright-core, against the real
 * HTTP server and PostgreSQL of a test app, with the console's real build. Shared by the browser
 * tests, the screenshot script and the console benchmark.
 *
 * No Chromium is a failure with a message saying how to get one, never a silent skip: CI
 * (.ci/run) installs Debian's `chromium` when it is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureBuilt } from '../../api/runtime/web-build.ts';
import { upsertContact } from '../../core/contacts/contacts.ts';
import { createCampaign, type Campaign } from '../../core/campaigns/campaigns.ts';
import { getChase, startChase, type ChaseDetail } from '../../core/chases/chases.ts';
import type { Deps } from '../../core/deps.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';
import { ALL_DAY, eventually } from './data.ts';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** CHROMIUM_PATH, else Debian's chromium (or another Chrome in the usual places). */
export function chromiumPath(): string {
  const given = process.env.CHROMIUM_PATH;
  if (given) {
    if (!existsSync(given)) throw new Error(`CHROMIUM_PATH=${given} does not exist`);
    return given;
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `the console's browser tests need Chromium and none was found (looked at ${CANDIDATES.join(', ')}): ` +
        'install it with `apt-get install chromium fonts-noto-cjk` (.ci/run does), or set CHROMIUM_PATH',
    );
  }
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'], timeout: 60_000 });
}

/** Builds the console unless its build is fresh (the first run on a machine takes a while). */
export async function buildConsole(): Promise<void> {
  await ensureBuilt().done;
}

/** A page that remembers every console error and uncaught exception it sees. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  errors: string[];
}

export async function watchedPage(browser: Browser, options: { locale?: string } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ locale: options.locale ?? 'en-US', viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return { page, context, errors };
}

/** Signs in through the form, as a person would. */
export async function signInThroughForm(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/app/`);
  await page.locator('#key').fill(key);
  await page.locator('#key').press('Enter');
  await page.locator('nav').waitFor();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core's violations of impact serious or critical on the page as it is now. axe is
 * evaluated through the DevTools protocol, which the page's CSP (script-src 'self') does not
 * govern, so the page is scanned under its real policy.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
}

export const mobile = (i: number) => `+86138${String(i).padStart(8, '0')}`;

/** A campaign of the kind the console shows: calls then SMS, any hour, its own line. */
export function seedCampaign(deps: Deps, tenantId: string, overrides: Record<string, unknown> = {}): Promise<Campaign> {
  return createCampaign(deps, tenantId, {
    name: 'Abandoned carts',
    channel: { policy: 'voice-then-sms', smsAfterMinutes: 0 },
    rules: { window: ALL_DAY },
    scripts: [{ name: 'default', say: 'Hello {{name}}, your cart is waiting. Shall I text you the link?', sms: 'Your cart: {{context.link}}' }],
    lines: [{ from: '+14155550100', minPriority: 0 }],
    ...overrides,
  });
}

/** One chase driven through the carrier simulator: the person answers with `answers`; resolves when it has ended. */
export async function driveChase(
  app: { worker: Deps; tenantId: string; sim: TwilioSim },
  campaign: Campaign,
  phone: string,
  answers: string[],
): Promise<ChaseDetail> {
  app.sim.setPersona(phone, { script: answers });
  const contact = (await upsertContact(app.worker, app.tenantId, { phone, name: 'Lin Wei' }, 'api')).contact.id;
  const started = await startChase(app.worker, app.tenantId, {
    campaignId: campaign.id,
    contact: { id: contact },
    context: { link: 'https://shop.example/cart/1' },
  });
  return eventually(
    async () => {
      const c = await getChase(app.worker, app.tenantId, started.id);
      return ['completed', 'canceled', 'opted-out', 'expired', 'failed'].includes(c.status) && c;
    },
    `chase ${started.id} to end`,
    20_000,
  );
}

/**
 * For scripts run outside `node test/run.mjs` (screenshots, the benchmark): DATABASE_URL, else an
 * embedded PostgreSQL in a temporary directory. Returns what stops it.
 */
export async function ensureDatabase(): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) return async () => undefined;
  const { startEmbeddedPostgres, findFreePort } = await import('../../api/runtime/embedded-postgres.ts');
  const { chmod, mkdtemp, rm } = await import('node:fs/promises');
  const os = await import('node:os');
  const path = await import('node:path');
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'chaseline-console-'));
  await chmod(tmp, 0o755);
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: await findFreePort(), ephemeral: true });
  const admin = new URL(embedded.url);
  admin.pathname = '/postgres';
  process.env.DATABASE_URL = admin.toString();
  return async () => {
    await embedded.stop();
    await rm(tmp, { recursive: true, force: true });
  };
}
