// The console in Debian's Chromium against the real server, PostgreSQL and carrier simulator:
// sign-in keeps no key in the browser; every page loads with no console error and no serious
// accessibility violation (axe-core); a campaign is created through the form, and a bad one
// shows the API's field error beside its input; a chase driven through the simulator shows its
// timeline; an import shows its rejected rows; the language follows the browser and can be
// switched; a viewer sees no controls it cannot use; a write without the CSRF token is refused;
// the cancel dialog is keyboard-usable.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { newKey, type KeyInfo } from '../support/data.ts';
import {
  buildConsole,
  driveChase,
  launchChromium,
  mobile,
  seedCampaign,
  seriousViolations,
  signInThroughForm,
  watchedPage,
  type WatchedPage,
} from '../support/browser.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';

let app: TestApp & { sim: TwilioSim; worker: WorkerDeps };
let browser: Browser;
let operator: KeyInfo;
let viewer: KeyInfo;
let chaseId: string;
let signedIn: WatchedPage;

before(
  async () => {
    // The build first: the first run on a machine builds the console (tens of seconds on a busy one).
    await buildConsole();
    [app, browser] = await Promise.all([testEngineApp({ sim: { clockSpeed: 50, callsPerSecond: 100 } }), launchChromium()]);
    operator = await newKey(app, 'operator');
    viewer = await newKey(app, 'viewer');
    const campaign = await seedCampaign(app.worker, app.tenantId);
    chaseId = (await driveChase(app, campaign, mobile(7001), ['yes, I am interested'])).id;
    signedIn = await watchedPage(browser);
    await signInThroughForm(signedIn.page, app.url, operator.key);
  },
  { timeout: 240_000 },
);

after(async () => {
  await browser?.close();
  await app?.close();
});

const T = { timeout: 60_000 };
const errorsOf = (p: WatchedPage) => p.errors;

/** Opens a console path in the signed-in page; the page must settle without a console error or a serious a11y violation. */
async function checkPage(path: string, ready: string) {
  const { page, errors } = signedIn;
  errors.length = 0;
  await page.goto(`${app.url}/app${path}`);
  await page.locator(ready).first().waitFor();
  await page.waitForLoadState('networkidle');
  assert.deepEqual(errors, [], `console errors on ${path}`);
  assert.deepEqual(await seriousViolations(page), [], `axe: serious or critical violations on ${path}`);
}

describe('signing in', () => {
  test('the sign-in page is accessible; the key is exchanged for an HttpOnly cookie and kept nowhere in the browser', T, async () => {
    const { page, context, errors } = await watchedPage(browser);
    try {
      await page.goto(`${app.url}/app/`);
      await page.locator('#key').waitFor();
      assert.deepEqual(await seriousViolations(page), []);
      await page.locator('#key').fill(operator.key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation').waitFor();
      assert.equal(await page.getByTestId('role').textContent(), 'Role: operator');
      const cookies = await context.cookies();
      const session = cookies.find((c) => c.name === 'chaseline_session');
      assert.ok(session?.httpOnly, 'HttpOnly');
      assert.equal(session?.sameSite, 'Strict');
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
      assert.ok(!stored.includes(operator.key), 'the key is not in localStorage, sessionStorage or a script-readable cookie');
      assert.ok(!stored.includes(session!.value), 'nor is the session id');
      assert.deepEqual(errors, []);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.locator('#key').waitFor();
      assert.equal(
        (await context.cookies()).find((c) => c.name === 'chaseline_session'),
        undefined,
        'signing out drops the cookie',
      );
    } finally {
      await context.close();
    }
  });

  test('a wrong key is refused with a message, not a blank page', T, async () => {
    const { page, context } = await watchedPage(browser);
    try {
      await page.goto(`${app.url}/app/`);
      await page.locator('#key').fill('chl_not-a-key');
      await page.locator('#key').press('Enter');
      await page.getByRole('alert').waitFor();
      assert.match((await page.getByRole('alert').textContent()) ?? '', /unknown or revoked/);
    } finally {
      await context.close();
    }
  });
});

describe('every page', () => {
  test('Campaigns, New campaign, Chases, a chase, Imports: no console error, no serious axe violation', { timeout: 120_000 }, async () => {
    await checkPage('/campaigns', 'table');
    await checkPage('/campaigns/new', '#f-name');
    await checkPage('/chases', 'table');
    await checkPage(`/chases/${chaseId}`, '.timeline li');
    await checkPage('/imports', '#file');
    await checkPage('/overview', '[data-testid="kpis"]');
    await checkPage('/scripts', '[data-testid="scripts"]');
    await checkPage('/experiments', 'h1');
    await checkPage('/experiments/new', '#x-campaignId');
  });

  test('only pages that exist are in the navigation', T, async () => {
    await signedIn.page.goto(`${app.url}/app/campaigns`);
    // The navigation appears once the session is read: wait for it, not for the first paint.
    await signedIn.page.getByRole('navigation').getByRole('link').first().waitFor();
    const links = await signedIn.page.getByRole('navigation').getByRole('link').allTextContents();
    assert.deepEqual(links, ['Overview', 'Campaigns', 'Chases', 'Scripts', 'Experiments', 'Imports']);
  });
});

describe('overview', () => {
  test('the key numbers, funnel and hour × weekday cells are the reports API’s, each with its definition', T, async () => {
    const { page } = signedIn;
    const day = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
    const next = new Date(new Date(`${day}T00:00:00Z`).getTime() + 86_400_000).toISOString();
    const api = async (query: string) =>
      (await app.request('GET', `/v1/reports/summary?from=${from}T00:00:00Z&to=${encodeURIComponent(next)}${query}`, { key: operator.key })).body.rows;
    const [total] = await api('');
    assert.ok(total.chases >= 1 && total.answered >= 1, `the seeded chase is counted: ${JSON.stringify(total)}`);
    await page.goto(`${app.url}/app/overview?from=${from}&to=${day}`);
    const kpi = (name: string) => page.getByTestId(`kpi-${name}`);
    await kpi('chases').waitFor();
    const percent = (n: number | null) => (n === null ? '—' : new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 }).format(n));
    assert.equal(await kpi('chases').locator('.value').textContent(), String(total.chases));
    assert.equal(await kpi('connectRate').locator('.value').textContent(), percent(total.connectRate));
    assert.equal(await kpi('conversionRate').locator('.value').textContent(), percent(total.conversionRate));
    assert.equal(await kpi('complaintRate').locator('.value').textContent(), percent(total.complaintRate));
    assert.match((await kpi('connectRate').locator('.definition').textContent()) ?? '', /answered \/ attempts/, 'the definition is shown');
    const funnel = await page.getByTestId('funnel').locator('.value').allTextContents();
    assert.deepEqual(funnel, [total.chases, total.attempts, total.answered, total.conversions].map(String));
    // One cell of the heatmap's table: the hour and weekday the seeded call was answered in.
    const cells = await api('&groupBy=localHour&thenBy=weekday');
    const answered = cells.find((c: { key: number | null; answered: number }) => c.key !== null && c.answered > 0);
    assert.ok(answered, JSON.stringify(cells));
    await page.getByText('Connect rate as a table').click();
    const row = page
      .getByTestId('heat-connectRate')
      .locator('tbody tr')
      .nth(answered.subKey - 1);
    assert.equal(await row.locator('td').nth(answered.key).textContent(), percent(answered.connectRate));
  });

  test('a campaign’s best hours, with credible intervals', T, async () => {
    const { page } = signedIn;
    signedIn.errors.length = 0;
    const { rows } = await app.deps.db.query<{ id: string }>(`select id from campaigns where tenant_id = $1 and name = 'Abandoned carts'`, [app.tenantId]);
    const hours = (await app.request('GET', `/v1/optimiser/hours?campaignId=${rows[0]!.id}`, { key: operator.key })).body;
    await page.goto(`${app.url}/app/overview`);
    await page.getByLabel('Campaign').selectOption({ label: 'Abandoned carts' });
    const table = page.getByTestId('best-hours').first();
    await table.waitFor();
    const buckets = hours.tiers[0].buckets;
    assert.equal(await table.locator('tbody tr').count(), buckets.length);
    assert.match((await table.locator('thead').textContent()) ?? '', /95% credible interval/);
    assert.deepEqual(errorsOf(signedIn), []);
  });
});

describe('campaigns', () => {
  test('a campaign is created through the form (submitted with Enter) and listed', T, async () => {
    const { page } = signedIn;
    await page.goto(`${app.url}/app/campaigns`);
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Spring sale');
    await page.getByLabel('What the call says').fill('Hello {{name}}, the spring sale ends tonight.');
    await page.getByLabel('SMS text').fill('Spring sale: {{context.link}}');
    await page.getByLabel('Name', { exact: true }).press('Enter');
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    await page.getByRole('link', { name: 'Spring sale', exact: true }).waitFor();
    const { rows } = await app.deps.db.query(`select name from campaigns where tenant_id = $1 and name = 'Spring sale'`, [app.tenantId]);
    assert.equal(rows.length, 1);
  });

  test('a bad campaign shows the API’s field error beside its input, and nothing is created', T, async () => {
    const { page } = signedIn;
    await page.goto(`${app.url}/app/campaigns/new`);
    await page.getByLabel('Name', { exact: true }).fill('No SMS text');
    await page.getByLabel('What the call says').fill('Hello there.');
    // Call then SMS, but the script has no SMS text: the API names scripts.0.sms.
    await page.getByRole('button', { name: 'Create campaign' }).click();
    const error = page.locator('#f-scripts-0-sms-error');
    await error.waitFor();
    assert.match((await error.textContent()) ?? '', /SMS/);
    assert.equal(await page.locator('#f-scripts-0-sms').getAttribute('aria-invalid'), 'true');
    assert.match((await page.locator('#f-scripts-0-sms').getAttribute('aria-describedby')) ?? '', /f-scripts-0-sms-error/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-scripts-0-sms', 'focus goes to the field to fix');

    // A calling window that ends before it starts: rules.window, beside the window's inputs.
    await page.locator('#f-scripts-0-sms').fill('Text');
    await page.getByLabel(/Own calling window/).check();
    await page.locator('#f-rules-window').fill('20:00');
    await page.locator('#f-rules-window-end').fill('09:00');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.locator('#f-rules-window-error').waitFor();
    assert.equal(await page.locator('#f-scripts-0-sms-error').count(), 0, 'the fixed field no longer shows an error');
    const { rows } = await app.deps.db.query(`select 1 from campaigns where tenant_id = $1 and name = 'No SMS text'`, [app.tenantId]);
    assert.equal(rows.length, 0);
  });

  test('editing changes what the form shows and keeps what it does not (the campaign’s own lines)', T, async () => {
    const { page } = signedIn;
    await page.goto(`${app.url}/app/campaigns`);
    await page.getByRole('link', { name: 'Edit Abandoned carts' }).click();
    await page.getByLabel('Call attempts at most').fill('2');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    const { rows } = await app.deps.db.query<{ rules: { maxCallAttempts: number }; lines: unknown[] }>(
      `select rules, lines from campaigns where tenant_id = $1 and name = 'Abandoned carts'`,
      [app.tenantId],
    );
    assert.equal(rows[0]!.rules.maxCallAttempts, 2);
    assert.deepEqual(rows[0]!.lines, [{ from: '+14155550100', minPriority: 0 }]);
  });

  test('pause, resume, and cancel through a dialog that traps focus and closes on Escape', T, async () => {
    const { page } = signedIn;
    await page.goto(`${app.url}/app/campaigns`);
    await page.getByRole('button', { name: 'Pause Spring sale' }).click();
    await page.getByRole('button', { name: 'Resume Spring sale' }).click();
    await page.getByRole('button', { name: 'Pause Spring sale' }).waitFor();

    await page.getByRole('button', { name: 'Cancel campaign Spring sale' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), 'focus moves into the dialog');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), 'Tab stays inside the dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Cancel campaign Spring sale' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel campaign' }).click();
    await page
      .getByRole('row', { name: /Spring sale/ })
      .getByText('canceled')
      .waitFor();
  });
});

describe('chases', () => {
  test('a chase driven through the simulator shows its timeline: the call, what it said and what was understood', T, async () => {
    const { page } = signedIn;
    await page.goto(`${app.url}/app/chases`);
    await page.getByLabel('Status').selectOption('completed');
    await page.locator('tbody tr').first().getByRole('link').click();
    await page.locator('.timeline').waitFor();
    const timeline = (await page.locator('.timeline').textContent()) ?? '';
    assert.match(timeline, /Dialling/);
    assert.match(timeline, /Answered/);
    assert.match(timeline, /Understood: interested \(\d+% sure\)/);
    assert.match((await page.locator('.said').textContent()) ?? '', /your cart is waiting/);
  });
});

describe('imports', () => {
  test('an uploaded CSV shows its counts and each rejected row with its number and reason', T, async () => {
    const { page } = signedIn;
    await page.goto(`${app.url}/app/imports`);
    const csv = ['name,phone', 'Ann,13900000001', 'Bob,not-a-number', 'Cai,13900000002', 'Dee,'].join('\n') + '\n';
    await page.locator('#file').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    const rejected = page.getByRole('table', { name: 'Rejected rows' });
    await rejected.waitFor();
    const rows = await rejected.locator('tbody tr').allTextContents();
    assert.equal(rows.length, 2, rows.join('\n'));
    assert.match(rows[0]!, /^3/);
    assert.match(rows[1]!, /^5/);
    const counts = (await page.getByTestId('import-counts').textContent()) ?? '';
    assert.match(counts, /Rows4/);
    assert.match(counts, /Created2/);
    assert.match(page.url(), /\/app\/imports\?id=/, 'the result has an address');
    await page.reload();
    await page.getByRole('table', { name: 'Rejected rows' }).waitFor();
  });
});

describe('language', () => {
  test('Chinese from the browser’s language; switched to English and back, and the choice is kept', T, async () => {
    const { page, context, errors } = await watchedPage(browser, { locale: 'zh-CN' });
    try {
      await signInThroughForm(page, app.url, operator.key);
      assert.deepEqual(await page.getByRole('navigation').getByRole('link').allTextContents(), ['概览', '活动', '跟进', '话术', '实验', '导入']);
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
      assert.deepEqual(await seriousViolations(page), []);
      await page.getByLabel('语言').selectOption('en');
      await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
      await page.reload();
      await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
      await page.getByLabel('Language').selectOption('zh-CN');
      await page.getByRole('heading', { name: '活动' }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

describe('roles and CSRF', () => {
  test('a viewer sees no control it cannot use, and the server refuses the write anyway', T, async () => {
    const { page, context } = await watchedPage(browser);
    try {
      await signInThroughForm(page, app.url, viewer.key);
      await page.locator('table').waitFor();
      assert.equal(await page.getByRole('link', { name: 'New campaign' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: /^(Pause|Resume|Cancel) / }).count(), 0);
      await page.goto(`${app.url}/app/imports`);
      await page.getByText('Your role can read imports but not upload them.').waitFor();
      const status = await page.evaluate(async () => {
        const session = (await (await fetch('/app/session')).json()) as { csrfToken: string };
        const res = await fetch('/v1/campaigns', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
          body: '{}',
        });
        return res.status;
      });
      assert.equal(status, 403);
    } finally {
      await context.close();
    }
  });

  test('a write from the page without the CSRF token is refused (403), with it the API answers', T, async () => {
    const { page } = signedIn;
    await page.goto(`${app.url}/app/campaigns`);
    const result = await page.evaluate(async () => {
      const without = await fetch('/v1/campaigns/00000000-0000-4000-8000-000000000000/pause', { method: 'POST' });
      const session = (await (await fetch('/app/session')).json()) as { csrfToken: string };
      const withToken = await fetch('/v1/campaigns/00000000-0000-4000-8000-000000000000/pause', {
        method: 'POST',
        headers: { 'x-csrf-token': session.csrfToken },
      });
      return { without: without.status, body: (await without.json()) as { field: string }, withToken: withToken.status };
    });
    assert.equal(result.without, 403);
    assert.equal(result.body.field, 'X-CSRF-Token');
    assert.equal(result.withToken, 404, 'past the CSRF check: the campaign does not exist');
  });
});

describe('scripts', () => {
  test('a flagged script: the viewer sees no button; an operator clears the flag and the script is chosen again', T, async () => {
    const { rows } = await app.deps.db.query<{ id: string }>(`select id from campaigns where tenant_id = $1 and name = 'Abandoned carts'`, [app.tenantId]);
    const campaignId = rows[0]!.id;
    await app.deps.db.query(
      `insert into script_flags (tenant_id, campaign_id, script, since, complaints, flagged_at, reason, chases, rate, rate_lower)
       values ($1, $2, 'default', now() - interval '1 day', 3, now(), '3 complaints in 200 chases', 200, 0.015, 0.006)
       on conflict (tenant_id, campaign_id, script) do update set flagged_at = now(), reason = excluded.reason, cleared_at = null`,
      [app.tenantId, campaignId],
    );
    const viewing = await watchedPage(browser);
    try {
      await signInThroughForm(viewing.page, app.url, viewer.key);
      await viewing.page.goto(`${app.url}/app/scripts`);
      await viewing.page.getByTestId('scripts').getByText('3 complaints in 200 chases').waitFor();
      assert.equal(await viewing.page.getByRole('button', { name: /Clear flag/ }).count(), 0, 'a viewer has no clear button');
    } finally {
      await viewing.context.close();
    }

    const { page } = signedIn;
    await page.goto(`${app.url}/app/scripts?campaignId=${campaignId}`);
    await page.getByRole('button', { name: 'Clear flag Abandoned carts default' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Clear flag' }).click();
    await page.getByRole('status').getByText('The flag of “default” was cleared.').waitFor();
    await page.getByTestId('scripts').getByText('not flagged').waitFor();
    const flag = await app.deps.db.query(`select flagged_at, cleared_at from script_flags where tenant_id = $1 and campaign_id = $2 and script = 'default'`, [
      app.tenantId,
      campaignId,
    ]);
    assert.equal(flag.rows[0].flagged_at, null);
    assert.ok(flag.rows[0].cleared_at, 'the clearing is recorded');
  });
});

describe('experiments', () => {
  test('an experiment is created through the form (a bad arm shows its field error beside the input), listed with its arms, and stopped', T, async () => {
    const { page } = signedIn;
    await page.goto(`${app.url}/app/experiments`);
    await page.getByRole('link', { name: 'New experiment' }).click();
    await page.locator('#x-campaignId').selectOption({ label: 'Abandoned carts' });
    await page.locator('#x-name').fill('Later first call');
    // Two arms with the same name: the API names arms.1.name.
    await page.locator('#x-arms-1-name').fill('control');
    await page.locator('#x-arms-1-delayMinutes').fill('30');
    await page.getByRole('button', { name: 'Start experiment' }).click();
    const error = page.locator('#x-arms-1-name-error');
    await error.waitFor();
    assert.match((await error.textContent()) ?? '', /two arms are named/);
    assert.equal(await page.locator('#x-arms-1-name').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'x-arms-1-name', 'focus goes to the field to fix');

    await page.locator('#x-arms-1-name').fill('half an hour later');
    await page.locator('#x-arms-1-name').press('Enter');
    const card = page.getByTestId('experiment').filter({ hasText: 'Later first call' });
    await card.waitFor();
    assert.match((await card.textContent()) ?? '', /running/);
    assert.deepEqual(await card.locator('tbody th').evaluateAll((ths) => ths.map((th) => th.firstChild?.textContent)), ['control', 'half an hour later']);
    assert.match((await card.getByTestId('verdict').textContent()) ?? '', /No verdict yet/);

    await card.getByRole('button', { name: 'Stop Later first call' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Stop' }).click();
    await card.getByText('stopped').waitFor();
    const { rows } = await app.deps.db.query(`select status, arms from experiments where tenant_id = $1 and name = 'Later first call'`, [app.tenantId]);
    assert.equal(rows[0].status, 'stopped');
    assert.equal(rows[0].arms[1].delayMinutes, 30);
  });
});

describe('events', () => {
  test('an admin sees the subscriptions, replays the events since yesterday and finds them in the delivery log; others see no Events page', T, async () => {
    const admin = await newKey(app, 'admin');
    const created = await app.request('POST', '/v1/event-subscriptions', {
      key: admin.key,
      body: { url: 'https://hooks.example.com/chaseline', types: ['chase.completed'], description: 'CRM bridge' },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(await signedIn.page.getByRole('navigation').getByRole('link', { name: 'Events' }).count(), 0, 'an operator has no Events page');

    const { page, context, errors } = await watchedPage(browser);
    try {
      await signInThroughForm(page, app.url, admin.key);
      await page.getByRole('navigation').getByRole('link', { name: 'Events' }).click();
      await page.getByTestId('subscriptions').waitFor();
      await page.getByRole('button', { name: 'Delivery log https://hooks.example.com/chaseline' }).click();
      await page.getByText('No deliveries.').waitFor();
      assert.deepEqual(await seriousViolations(page), []);
      await page.getByRole('button', { name: 'Send these again' }).click();
      const notice = page.getByRole('status');
      await notice.waitFor();
      assert.match((await notice.textContent()) ?? '', /^[1-9]\d* deliver(y|ies) queued\.$/, 'the seeded chase’s chase.completed is sent again');
      await page.getByTestId('deliveries').getByText('chase.completed').first().waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
