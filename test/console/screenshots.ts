/**
 * `npm run console:screenshots`: a PNG of each console page into docs/console/, in English and
 * Chinese, from the real server with data made through the carrier simulator. Uses DATABASE_URL,
 * else an embedded PostgreSQL; needs Chromium (see test/support/browser.ts).
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { testEngineApp } from '../support/app.ts';
import { newKey } from '../support/data.ts';
import { buildConsole, driveChase, ensureDatabase, launchChromium, mobile, seedCampaign, signInThroughForm, watchedPage } from '../support/browser.ts';

const out = fileURLToPath(new URL('../../docs/console/', import.meta.url));

const stopDatabase = await ensureDatabase();
await buildConsole();
const app = await testEngineApp({ sim: { clockSpeed: 50, callsPerSecond: 100 } });
const browser = await launchChromium();
try {
  await mkdir(out, { recursive: true });
  const operator = await newKey(app, 'operator');
  const carts = await seedCampaign(app.worker, app.tenantId);
  await seedCampaign(app.worker, app.tenantId, {
    name: '新品回访',
    channel: { policy: 'voice' },
    scripts: [{ name: 'zh', locale: 'zh-CN', say: '{{name}}您好，新品已经到店，需要我把链接发给您吗？' }],
  });
  const interested = await driveChase(app, carts, mobile(9001), ['yes, I am interested']);
  await driveChase(app, carts, mobile(9002), ['how much is it', 'ok']);
  await driveChase(app, carts, mobile(9003), ['no thanks']);
  await driveChase(app, carts, mobile(9004), ['yes please']);
  // A script flagged for its complaints (as the flagging job would leave it) and a running experiment.
  await app.deps.db.query(
    `insert into script_flags (tenant_id, campaign_id, script, since, complaints, flagged_at, reason, chases, rate, rate_lower)
     values ($1, $2, 'default', now() - interval '7 days', 1, now(), 'the complaint rate’s lower bound is over the campaign’s limit (0.5%)', 4, 0.25, 0.013)`,
    [app.tenantId, carts.id],
  );
  const experiment = await app.request('POST', '/v1/experiments', {
    key: operator.key,
    body: { campaignId: carts.id, name: 'Call 30 minutes later', arms: [{ name: 'control' }, { name: 'later', delayMinutes: 30 }] },
  });
  if (experiment.status !== 201) throw new Error(`the experiment was not created: ${experiment.text}`);
  // An event subscription with its deliveries: the events of the chases above, replayed to it.
  const admin = await newKey(app, 'admin');
  const subscription = await app.request('POST', '/v1/event-subscriptions', {
    key: admin.key,
    body: { url: 'https://hooks.example.com/chaseline', types: ['chase.completed', 'chase.opted_out', 'chase.failed'], description: 'CRM bridge' },
  });
  if (subscription.status !== 201) throw new Error(`the subscription was not created: ${subscription.text}`);
  await app.request('POST', `/v1/event-subscriptions/${subscription.body.id}/replay`, {
    key: admin.key,
    body: { since: new Date(Date.now() - 86_400_000).toISOString() },
  });

  for (const lang of ['en', 'zh-CN'] as const) {
    const { page, context } = await watchedPage(browser, { locale: lang });
    const shot = async (name: string) => {
      await page.waitForLoadState('networkidle');
      await page.screenshot({ path: `${out}${name}.${lang}.png`, fullPage: true });
    };
    await page.goto(`${app.url}/app/`);
    await page.locator('#key').waitFor();
    await shot('sign-in');
    await signInThroughForm(page, app.url, operator.key);
    await page.locator('table').waitFor();
    await shot('campaigns');
    await page.goto(`${app.url}/app/campaigns/new`);
    await page.locator('#f-name').fill(lang === 'en' ? 'Spring sale' : '春季促销');
    await page.locator('#f-scripts-0-say').fill(lang === 'en' ? 'Hello {{name}}, the spring sale ends tonight.' : '{{name}}您好，春季促销今晚结束。');
    await page.locator('#f-rules-maxCallAttempts').fill('0');
    await page.locator('#f-name').press('Enter');
    await page.locator('.field-error').first().waitFor();
    await shot('campaign-form-errors');
    await page.goto(`${app.url}/app/chases`);
    await page.locator('table').waitFor();
    await shot('chases');
    await page.goto(`${app.url}/app/chases/${interested.id}`);
    await page.locator('.timeline li').first().waitFor();
    await shot('chase-timeline');
    await page.goto(`${app.url}/app/imports`);
    const csv = ['name,phone', 'Ann,13900000001', 'Bob,not-a-number', 'Cai,13900000002', 'Dee,', 'Eve,13900000003'].join('\n') + '\n';
    await page.locator('#file').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.locator('form.upload button[type=submit]').click();
    await page.locator('.result table').waitFor();
    await page.locator('.chart svg').waitFor();
    await shot('imports');
    await page.goto(`${app.url}/app/overview?campaignId=${carts.id}`);
    await page.getByTestId('kpis').waitFor();
    await page.getByTestId('best-hours').first().waitFor();
    await page.locator('.chart svg').first().waitFor();
    await shot('overview');
    await page.goto(`${app.url}/app/scripts`);
    await page.getByTestId('scripts').waitFor();
    await shot('scripts');
    await page.goto(`${app.url}/app/experiments`);
    await page.getByTestId('experiment').first().waitFor();
    await shot('experiments');
    await context.close();
    // The Events page is an admin's.
    const asAdmin = await watchedPage(browser, { locale: lang });
    await signInThroughForm(asAdmin.page, app.url, admin.key);
    await asAdmin.page.goto(`${app.url}/app/events?id=${subscription.body.id}`);
    await asAdmin.page.getByTestId('deliveries').waitFor();
    await asAdmin.page.waitForLoadState('networkidle');
    await asAdmin.page.screenshot({ path: `${out}events.${lang}.png`, fullPage: true });
    await asAdmin.context.close();
  }
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  await app.close();
  await stopDatabase();
}
