/**
 * The abandoned-cart story end to end, in one process, with every vendor simulated over real
 * HTTP: Chaseline boots on a throwaway database; the shoppers are HubSpot contacts synced in;
 * a Shopify store reports their abandoned checkouts; Chaseline calls them through the Twilio
 * simulator, texts the link, and writes every outcome back. Set-up goes through Chaseline's
 * REST API as a user's would; the demo itself only plays the vendors and the shoppers.
 */
import { restClient, type Api } from './api.ts';
import { startChaseline } from './chaseline.ts';
import { demoDatabase } from './database.ts';
import { buildReport, formatReport, type DemoReport } from './report.ts';
import { makeShoppers } from './shoppers.ts';
import { Story } from './story.ts';
import { Teardown } from './teardown.ts';
import { connectorStates, connectShopify, startVendors, syncHubspot, type Vendors } from './vendors.ts';
import { Waiter } from './wait.ts';

export interface DemoOptions {
  /** How many shoppers abandon a cart (6 or more show every case). Default 12. */
  shoppers?: number;
  /** The campaign's delay after the checkout, in minutes. Default 1 (production's default is 120). */
  delayMinutes?: number;
  /** Where the story is told, a line at a time. */
  out?: (line: string) => void;
  /** The whole demo's time limit. Default 5 minutes. */
  timeoutMs?: number;
  /** A PostgreSQL server to make the throwaway database on; default DATABASE_URL, else an embedded one. */
  databaseUrl?: string;
  /** Stops the demo early (Ctrl-C); it still cleans up. */
  signal?: AbortSignal;
}

/** The whole demo's default time limit. */
export const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** A calling window open all day, every day, so the demo runs at any hour. */
const ALL_DAY = { days: Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, [{ start: '00:00', end: '24:00' }]])) };

function campaignBody(delayMinutes: number) {
  return {
    name: 'Abandoned carts',
    trigger: { type: 'abandoned-checkout', delayMinutes },
    channel: { policy: 'voice-then-sms', smsAfterMinutes: 0 },
    rules: { window: ALL_DAY },
    scripts: [
      {
        name: 'cart',
        say: 'Hi {{name}}, this is Demo Store. Your {{context.product}} is still waiting in your cart. Shall I text you a link to finish your order?',
        sms: 'Demo Store: your {{context.product}} is still in your cart. Finish your order here: {{context.link}}',
        voicemail: 'Hi {{name}}, this is Demo Store. Your {{context.product}} is still in your cart; we will text you the link.',
        dialog: { price: { say: 'Your cart comes to {{context.cartTotal}} {{context.currency}}. Shall I text you the link?' } },
      },
    ],
    lines: [{ from: '+14155550100' }],
  };
}

/** Runs the story and returns its report; throws (after cleaning up) when something did not go as it should. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const count = options.shoppers ?? 12;
  const delayMinutes = options.delayMinutes ?? 1;
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const wait = new Waiter(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.signal);
  const teardown = new Teardown();
  const started = Date.now();
  let failed = false;
  try {
    out(`Chaseline demo: ${count} abandoned carts, every vendor simulated over real HTTP on 127.0.0.1`);
    const database = await wait.step('a database', demoDatabase(options.databaseUrl ?? process.env.DATABASE_URL));
    teardown.add('the temporary database', database.remove);
    out(`  database: ${database.description}`);
    const chaseline = await wait.step('Chaseline to start (database, migrations, worker)', startChaseline(database.env, teardown));
    const api = restClient(chaseline.url, chaseline.adminKey);
    const vendors = await wait.step('the Shopify and HubSpot simulators', startVendors(chaseline.url, teardown));
    out(`  Chaseline API at ${chaseline.url}; simulators: Twilio ${chaseline.twilio.url}, Shopify ${vendors.shop.url}, HubSpot ${vendors.hubspot.url}`);

    const shoppers = makeShoppers(count, { canOrderFirst: delayMinutes > 0 });
    const synced = await wait.step('the HubSpot connector', syncHubspot(api, vendors.hubspot, shoppers, wait));
    out(`  HubSpot: ${shoppers.length} contacts in the CRM; connected (PUT /v1/connectors/hubspot) and synced: Chaseline knows ${synced}, linked to HubSpot`);
    await wait.step('the Shopify connector', connectShopify(api, vendors.shop));
    out(`  Shopify: ${vendors.shop.shop} connected (PUT /v1/connectors/shopify); its webhooks go to ${chaseline.url}/webhooks/shopify`);
    const campaign = await wait.step('the campaign', api.post<{ id: string }>('/v1/campaigns', campaignBody(delayMinutes)));
    out(
      `  Campaign "Abandoned carts" (POST /v1/campaigns): call ${delayMinutes} min after the checkout was last updated (production's default is 2 hours), then SMS if nobody answers`,
    );
    if (delayMinutes === 0) out('  (with no delay nobody can order before the call, so no shopper tries)');
    out('');

    const story = new Story({ api, shop: vendors.shop, twilio: chaseline.twilio, out, wait, campaignId: campaign.id });
    await story.abandonCarts(shoppers);
    await story.follow();
    await drainOutbox(api, vendors, wait);

    const report = buildReport(story.tracked, vendors);
    out('');
    for (const line of formatReport(report, Math.round((Date.now() - started) / 1000))) out(line);
    if (report.surprises.length) {
      throw new Error(`the story did not go as the shoppers played it:\n${report.surprises.map((s) => `  - ${s}`).join('\n')}`);
    }
    return report;
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    wait.dispose();
    const problems = await teardown.run();
    if (problems.length) out(`Could not stop everything: ${problems.join('; ')}`);
    else out(failed ? 'Stopped everything and removed the temporary data.' : 'Done: Chaseline and the simulators stopped, the temporary data removed.');
  }
}

/** Waits until the vendors have everything: no write-back pending, none dead, the store's own webhooks delivered. */
async function drainOutbox(api: Api, vendors: Vendors, wait: Waiter): Promise<void> {
  let last = '';
  await wait.until(
    () => `the write-backs to HubSpot and Shopify (${last || 'not read yet'})`,
    async () => {
      await vendors.shop.settled();
      const states = (await connectorStates(api)).filter((c) => c.type === 'hubspot' || c.type === 'shopify');
      last = states.map((c) => `${c.type}: ${c.outbox.pending} pending, ${c.outbox.dead} dead`).join('; ');
      return states.every((c) => c.outbox.pending === 0);
    },
  );
  const dead = (await connectorStates(api)).filter((c) => c.outbox.dead > 0);
  if (dead.length) {
    const lists = await Promise.all(
      dead.map(async (c) => {
        const rows = await api.get<{ items: { kind: string; lastError: string | null }[] }>(`/v1/connectors/${c.type}/outbox?status=dead`);
        return rows.items.map((r) => `${c.type} ${r.kind}: ${r.lastError}`);
      }),
    );
    throw new Error(
      `write-backs the vendors refused (dead):\n${lists
        .flat()
        .map((l) => `  - ${l}`)
        .join('\n')}`,
    );
  }
}
