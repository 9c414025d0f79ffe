// The Salesforce connector through @salesforce/core against sim/salesforce over HTTP: first
// syncs in the fewest queries (2,000 a batch per object), large ones through Bulk API 2.0,
// incremental pulls by (SystemModstamp, Id) that neither skip nor repeat records sharing a
// stamp across pages or runs, Tasks and DoNotCall written back 200 a request, JWT bearer auth,
// and outages and limits as retryable errors.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startSalesforceSim, type SalesforceSim } from '../../sim/salesforce/index.ts';
import { AppError } from '../../core/errors.ts';
import type { CallActivity, CrmConnector, CrmContact, CrmCursor, WriteBack } from '../../core/ports.ts';
import { createSalesforceConnector, type SalesforceConnectorOptions } from './index.ts';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const clock = T0;
let smallClock = T0;
/** Every record stamped at T0: 5,000 records sharing one SystemModstamp. */
let sim: SalesforceSim;
/** Query batches of 5, its own clock: page boundaries inside a group of records sharing a stamp. */
let small: SalesforceSim;
let bulkSim: SalesforceSim;

before(async () => {
  [sim, small, bulkSim] = await Promise.all([
    startSalesforceSim({ now: () => clock }),
    startSalesforceSim({ now: () => smallClock, queryBatchSize: 5 }),
    startSalesforceSim({ now: () => T0, bulkJobMs: 60 }),
  ]);
});
after(() => Promise.all([sim, small, bulkSim].map((s) => s.close())));

const people = (n: number, extra: (i: number) => Record<string, unknown> = () => ({})) =>
  Array.from({ length: n }, (_, i) => ({
    FirstName: `Ada${i}`,
    LastName: `Lovelace${i}`,
    Phone: `+1415555${String(i % 10_000).padStart(4, '0')}`,
    ...extra(i),
  }));
const leads = (n: number, extra: (i: number) => Record<string, unknown> = () => ({})) => people(n, (i) => ({ Company: 'Analytical Engines', ...extra(i) }));

const connect = (s: SalesforceSim, options: SalesforceConnectorOptions = {}) =>
  createSalesforceConnector({ auth: { accessToken: s.accessToken, instanceUrl: s.url } }, { pollMs: 10, ...options });

async function pull(connector: CrmConnector, cursor: CrmCursor | null, pages = Infinity) {
  const contacts: CrmContact[] = [];
  const seen: Array<{ contacts: CrmContact[]; cursor: CrmCursor }> = [];
  let last = cursor;
  for await (const page of connector.pullContacts(cursor)) {
    contacts.push(...page.contacts);
    seen.push(page);
    last = page.cursor;
    if (seen.length >= pages) break;
  }
  return { contacts, cursor: last, pages: seen };
}
const ids = (contacts: CrmContact[]) => contacts.map((c) => c.externalId);
const sorted = (xs: string[]) => [...xs].sort();
const requestsSince = (s: SalesforceSim, n: number) => s.requests().slice(n);
/** The cursor's positions with their ids in order (a bulk job reads them in any order). */
const positions = (cursor: CrmCursor | null) =>
  Object.fromEntries(Object.entries(cursor ?? {}).map(([k, v]) => [k, { ...(v as object), ids: sorted((v as { ids: string[] }).ids) }]));

describe('pulling contacts and leads', () => {
  test('a first sync of 5,000 takes one query per 2,000 records of each object, and misses or repeats none', async () => {
    const contactIds = sim.insert(
      'Contact',
      people(3000, (i) => ({ MobilePhone: i % 3 ? null : `+1650555${String(i).padStart(4, '0')}`, DoNotCall: i % 10 === 0 })),
    );
    const leadIds = sim.insert('Lead', leads(2000));
    sim.insert(
      'Lead',
      leads(20, () => ({ IsConverted: true })),
    );
    const before = sim.requests().length;
    const first = await pull(connect(sim), null);

    assert.equal(first.contacts.length, 5000, 'no record twice');
    assert.deepEqual(sorted(ids(first.contacts)), sorted([...contactIds, ...leadIds]), 'every Contact and unconverted Lead');
    const sent = requestsSince(sim, before);
    assert.deepEqual(
      sent.map((r) => r.url.replace(/\?q=.*/, '?q=…').replace(/01g\w{15}/, '{locator}')),
      ['/services/data/v62.0/query?q=…', '/services/data/v62.0/query/{locator}-2000', '/services/data/v62.0/query?q=…'],
    );
    assert.equal(
      decodeURIComponent(sent[0]!.url.split('?q=')[1]!),
      'SELECT Id, FirstName, LastName, Phone, MobilePhone, DoNotCall, SystemModstamp FROM Contact ORDER BY SystemModstamp, Id',
    );
    assert.match(decodeURIComponent(sent[2]!.url), /FROM Lead WHERE IsConverted = false ORDER BY/);
    assert.deepEqual(
      first.pages.map((p) => p.contacts.length),
      [2000, 1000, 2000],
    );

    const byId = new Map(first.contacts.map((c) => [c.externalId, c]));
    assert.deepEqual(byId.get(contactIds[0]!), {
      externalId: contactIds[0],
      phone: { raw: '+16505550000', country: null },
      name: 'Ada0 Lovelace0',
      tags: [],
      doNotCall: true,
      updatedAt: '2026-03-02T09:00:00.000Z',
    });
    assert.deepEqual(
      [byId.get(contactIds[1]!)!.phone?.raw, byId.get(contactIds[1]!)!.doNotCall],
      ['+14155550001', false],
      'Phone when there is no MobilePhone',
    );
    assert.deepEqual(positions(first.cursor), {
      Contact: { since: '2026-03-02T09:00:00.000Z', ids: sorted(contactIds) },
      Lead: { since: '2026-03-02T09:00:00.000Z', ids: sorted(leadIds) },
    });

    const again = await pull(connect(sim), first.cursor);
    assert.equal(again.contacts.length, 0, 'nothing changed: nothing returned');
    // The records at the newest stamp are read again (here all 5,000 share it), so one stamped in
    // that second after the first pull's query would not be missed; they are not handed out again.
    assert.equal(sim.requests().length - before, 6, 'the first sync’s 3, then 3 again');
  });

  test('an incremental pull returns exactly what changed, records sharing a stamp split across pages and runs', async () => {
    const contactIds = small.insert('Contact', people(8));
    const leadIds = small.insert('Lead', leads(4));
    const first = await pull(connect(small), null);
    assert.equal(first.contacts.length, 12);

    smallClock += 1000;
    const edited = [6, 1, 3, 0, 7, 4, 2].map((i) => contactIds[i]!);
    for (const id of edited) small.update(id, { Phone: '+14155550199' });
    small.update(leadIds[2]!, { DoNotCall: true });
    smallClock += 1000;
    const [added] = small.insert('Contact', people(1));
    small.update(leadIds[3]!, { IsConverted: true });

    const before = small.requests().length;
    const next = await pull(connect(small), first.cursor);
    assert.deepEqual(sorted(ids(next.contacts)), sorted([...edited, added!, leadIds[2]!]));
    assert.equal(next.contacts.length, 9, 'none twice');
    // Pages of 5: the one Contact left at the first pull's stamp is read again and dropped.
    assert.deepEqual(
      next.pages.map((p) => p.contacts.length),
      [4, 4, 1],
      'the seven sharing one stamp span two pages',
    );
    assert.equal(small.requests().length - before, 3);
    assert.equal(next.contacts.find((c) => c.externalId === leadIds[2])!.doNotCall, true, 'DoNotCall pulled');

    // Stopped after the first page (mid-stamp), the next run resumes after its last record.
    const part = await pull(connect(small), first.cursor, 1);
    assert.deepEqual(
      part.contacts.map((c) => c.updatedAt),
      Array(4).fill('2026-03-02T09:00:01.000Z'),
    );
    const rest = await pull(connect(small), part.cursor);
    assert.deepEqual(sorted([...ids(part.contacts), ...ids(rest.contacts)]), sorted(ids(next.contacts)));
    assert.equal((await pull(connect(small), next.cursor)).contacts.length, 0);
  });

  test('a record stamped in the newest second after a pull read it is not missed, whatever its id', async () => {
    smallClock += 10_000;
    const [older] = small.insert('Contact', people(1));
    smallClock += 1000;
    const [newer] = small.insert('Contact', people(1));
    const first = await pull(connect(small), null);
    assert.ok(ids(first.contacts).includes(newer!));
    // Same second as `newer`, and an id before it: a keyset on (stamp, id) would skip it.
    small.update(older!, { Phone: '+14155550188' });
    const next = await pull(connect(small), first.cursor);
    assert.deepEqual(ids(next.contacts), [older]);
    assert.equal((await pull(connect(small), next.cursor)).contacts.length, 0);
  });

  test('a first sync above the threshold reads the rest through Bulk API 2.0, every record exactly once', async () => {
    const contactIds = bulkSim.insert(
      'Contact',
      people(4500, (i) => ({ DoNotCall: i === 4321, LastName: `O'Brien, "${i}"` })),
    );
    const leadIds = bulkSim.insert('Lead', leads(2500));
    bulkSim.insert(
      'Lead',
      leads(30, () => ({ IsConverted: true })),
    );
    const before = bulkSim.requests().length;
    const first = await pull(connect(bulkSim, { bulkThreshold: 1000, pageSize: 1000 }), null);

    assert.equal(first.contacts.length, 7000, 'no record twice');
    assert.deepEqual(sorted(ids(first.contacts)), sorted([...contactIds, ...leadIds]));
    const sent = requestsSince(bulkSim, before).map(
      (r) =>
        `${r.method} ${r.url
          .replace(/750\w{15}/, '{job}')
          .replace(/\?q=.*/, '?q=…')
          .replace(/locator=[\w-]+/, 'locator=…')}`,
    );
    // Every record shares one stamp here (the worst case): a job starts at the REST page's stamp,
    // so it reads that page's records again (dropped), 4,500 and 2,500 rows in pages of 1,000.
    const more = (n: number) => Array(n).fill('GET /services/data/v62.0/jobs/query/{job}/results?maxRecords=1000&locator=…');
    assert.deepEqual(
      sent.filter((r) => !r.endsWith('/jobs/query/{job}')),
      [
        'GET /services/data/v62.0/query?q=…',
        'POST /services/data/v62.0/jobs/query',
        'GET /services/data/v62.0/jobs/query/{job}/results?maxRecords=1000',
        ...more(4),
        'GET /services/data/v62.0/query?q=…',
        'POST /services/data/v62.0/jobs/query',
        'GET /services/data/v62.0/jobs/query/{job}/results?maxRecords=1000',
        ...more(2),
      ],
    );
    const job = requestsSince(bulkSim, before).find((r) => r.method === 'POST')!.body as { query: string };
    assert.equal(
      job.query,
      `SELECT Id, FirstName, LastName, Phone, MobilePhone, DoNotCall, SystemModstamp FROM Contact WHERE SystemModstamp >= 2026-03-02T09:00:00.000Z`,
    );
    const fromCsv = first.contacts.find((c) => c.externalId === contactIds[4321])!;
    assert.deepEqual(fromCsv, {
      externalId: contactIds[4321],
      phone: { raw: '+14155554321', country: null },
      name: `Ada4321 O'Brien, "4321"`,
      tags: [],
      doNotCall: true,
      updatedAt: '2026-03-02T09:00:00.000Z',
    });
    assert.deepEqual(positions(first.cursor), {
      Contact: { since: '2026-03-02T09:00:00.000Z', ids: sorted(contactIds) },
      Lead: { since: '2026-03-02T09:00:00.000Z', ids: sorted(leadIds) },
    });
    assert.equal((await pull(connect(bulkSim), first.cursor)).contacts.length, 0);
  });

  test('a pull stopped while its bulk job runs resumes that job, without a second one', async () => {
    const connector = connect(bulkSim, { bulkThreshold: 1000, pageSize: 1500 });
    const part = await pull(connector, null, 2);
    assert.deepEqual(
      part.pages.map((p) => p.contacts.length),
      [2000, 0],
    );
    assert.match(String((part.cursor as { bulk?: { jobId?: string } }).bulk?.jobId), /^750/);
    const jobs = () => bulkSim.requests().filter((r) => r.method === 'POST' && r.url.endsWith('/jobs/query')).length;
    const before = jobs();
    const rest = await pull(connector, part.cursor);
    assert.equal(jobs() - before, 1, "only the Leads' job is new");
    const all = [...ids(part.contacts), ...ids(rest.contacts)];
    assert.equal(all.length, 7000);
    assert.equal(new Set(all).size, 7000);

    // A job Salesforce no longer has: the object is read again from its position, with a new job.
    const lost = { ...part.cursor, bulk: { ...(part.cursor as { bulk: object }).bulk, jobId: `750${'0'.repeat(15)}` } };
    const again = await pull(connector, lost);
    assert.deepEqual(sorted([...ids(part.contacts), ...ids(again.contacts)]), sorted(all));
  });
});

const call = (externalContactId: string, i: number, extra: Partial<CallActivity> = {}): WriteBack => ({
  kind: 'call',
  call: {
    externalContactId,
    at: new Date('2026-03-02T17:45:00Z'),
    title: `Chaseline call ${i}`,
    body: `Outcome of call ${i}`,
    outcome: i % 2 ? 'machine' : 'answered',
    durationSeconds: 30 + i,
    from: '+14155550100',
    to: '+14155550101',
    callSid: `CA${String(i).padStart(32, '0')}`,
    ...extra,
  },
});

describe('writing back', () => {
  test('450 calls become Tasks in 3 requests of at most 200, as Salesforce dialers log them', async () => {
    const who = sim
      .records('Contact')
      .slice(0, 450)
      .map((c) => String(c.Id));
    const items = who.map((id, i) => call(id, i, i === 7 ? { title: 'x'.repeat(300), recordingUrl: 'https://api.twilio.com/rec/RE1' } : {}));
    const before = sim.requests().length;
    const results = await connect(sim).writeBack(items);

    const sent = requestsSince(sim, before);
    assert.deepEqual(
      sent.map((r) => `${r.method} ${r.url} ${(r.body as { records: unknown[] }).records.length}`),
      [200, 200, 50].map((n) => `POST /services/data/v62.0/composite/sobjects ${n}`),
    );
    assert.ok(sent.every((r) => (r.body as { allOrNone: boolean }).allOrNone === false));
    assert.equal(results.length, 450);
    assert.ok(results.every((r) => r.status === 'done' && /^00T\w{15}$/.test(r.vendorId ?? '')));
    const tasks = new Map(sim.records('Task').map((t) => [t.Id, t]));
    const pick = (t: Record<string, unknown>) =>
      Object.fromEntries(
        ['WhoId', 'TaskSubtype', 'CallType', 'CallDisposition', 'CallDurationInSeconds', 'CallObject', 'Subject', 'Description', 'Status', 'ActivityDate'].map(
          (k) => [k, t[k]],
        ),
      );
    assert.deepEqual(pick(tasks.get((results[2] as { vendorId: string }).vendorId)!), {
      WhoId: who[2],
      TaskSubtype: 'Call',
      CallType: 'Outbound',
      CallDisposition: 'Connected',
      CallDurationInSeconds: 32,
      CallObject: `CA${'0'.repeat(31)}2`,
      Subject: 'Chaseline call 2',
      Description: 'Outcome of call 2',
      Status: 'Completed',
      ActivityDate: '2026-03-02',
    });
    const seventh = tasks.get((results[7] as { vendorId: string }).vendorId)!;
    assert.deepEqual(
      [seventh.CallDisposition, String(seventh.Subject).length, seventh.Description],
      ['Left voicemail', 255, 'Outcome of call 7\n\nRecording: https://api.twilio.com/rec/RE1'],
    );
  });

  test("a deleted contact's call is rejected while the rest are done; texts are Tasks too; what Salesforce has no place for is skipped", async () => {
    const [gone, kept] = sim
      .records('Contact')
      .slice(500, 502)
      .map((c) => String(c.Id)) as [string, string];
    sim.remove(gone);
    const before = sim.requests().length;
    const results = await connect(sim).writeBack([
      call(gone, 1),
      call(kept, 2, { durationSeconds: null, callSid: null, outcome: 'wrong-number' }),
      {
        kind: 'sms',
        message: {
          externalContactId: kept,
          at: new Date('2026-03-02T18:00:00Z'),
          body: 'Your cart is waiting',
          from: '+14155550100',
          to: '+14155550101',
          messageSid: 'SM1',
        },
      },
      { kind: 'tags', externalId: kept, add: ['vip'] },
      { kind: 'order-note', orderId: '1001', note: 'called' },
      { kind: 'opt-out', externalId: kept, channel: 'sms' },
    ]);
    assert.equal(sim.requests().length - before, 1, 'calls and texts share one request');
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'done', 'done', 'skipped', 'skipped', 'skipped'],
    );
    assert.equal((results[0] as { error: string }).error, 'INVALID_CROSS_REFERENCE_KEY (WhoId): invalid cross reference id');
    const tasks = new Map(sim.records('Task').map((t) => [t.Id, t]));
    const wrong = tasks.get((results[1] as { vendorId: string }).vendorId)!;
    assert.deepEqual([wrong.CallDisposition, wrong.CallDurationInSeconds, wrong.CallObject], ['Wrong number', null, null]);
    const sms = tasks.get((results[2] as { vendorId: string }).vendorId)!;
    assert.deepEqual(
      [sms.TaskSubtype, sms.Subject, sms.Description, sms.Status, sms.ActivityDate, sms.WhoId],
      ['Task', 'SMS sent', 'Your cart is waiting', 'Completed', '2026-03-02', kept],
    );
  });

  test('voice opt-outs set DoNotCall on Contacts and Leads, in one request', async () => {
    const [contact, gone] = sim
      .records('Contact')
      .slice(600, 602)
      .map((c) => String(c.Id)) as [string, string];
    const lead = String(sim.records('Lead')[5]!.Id);
    sim.remove(gone);
    const before = sim.requests().length;
    const results = await connect(sim).writeBack([
      { kind: 'opt-out', externalId: contact, channel: 'voice' },
      { kind: 'opt-out', externalId: lead, channel: 'all' },
      { kind: 'opt-out', externalId: contact, channel: 'all' },
      { kind: 'opt-out', externalId: '001000000000001AAA', channel: 'voice' },
      { kind: 'opt-out', externalId: gone, channel: 'voice' },
    ]);
    const sent = requestsSince(sim, before);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.method, 'PATCH');
    assert.deepEqual((sent[0]!.body as { records: unknown[] }).records, [
      { attributes: { type: 'Contact' }, id: contact, DoNotCall: true },
      { attributes: { type: 'Lead' }, id: lead, DoNotCall: true },
      { attributes: { type: 'Contact' }, id: gone, DoNotCall: true },
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['done', 'done', 'done', 'rejected', 'rejected'],
    );
    assert.match((results[4] as { error: string }).error, /^ENTITY_IS_DELETED/);
    const flagged = new Set([...sim.records('Contact'), ...sim.records('Lead')].filter((r) => r.DoNotCall === true).map((r) => r.Id));
    assert.ok(flagged.has(contact) && flagged.has(lead));
  });

  test('an outage makes writeBack throw a retryable error, and nothing is written', async () => {
    const who = String(sim.records('Contact')[700]!.Id);
    const before = sim.records('Task').length;
    sim.failFor(60_000);
    await assert.rejects(
      connect(sim).writeBack([call(who, 1)]),
      (err: unknown) => err instanceof AppError && err.code === 'UPSTREAM' && err.retryable && err.details?.errorCode === 'SERVER_UNAVAILABLE',
    );
    assert.equal(sim.records('Task').length, before);
    sim.failFor(0);
    assert.equal((await connect(sim).writeBack([call(who, 1)]))[0]!.status, 'done');
  });

  test("past the org's daily API allowance the pull stops with RATE_LIMITED", async () => {
    const limited = await startSalesforceSim({ dailyApiLimit: 1, queryBatchSize: 5 });
    try {
      limited.insert('Contact', people(8));
      await assert.rejects(pull(connect(limited), null), (err: unknown) => err instanceof AppError && err.code === 'RATE_LIMITED' && err.retryable);
    } finally {
      await limited.close();
    }
  });
});

describe('auth', () => {
  const CLIENT_ID = '3MVG9chaseline.test.consumer.key';
  const USER = 'chaseline@acme.example';
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = (k: typeof keys.privateKey) => k.export({ type: 'pkcs8', format: 'pem' }).toString();
  const jwt = (privateKey = pem(keys.privateKey)) =>
    createSalesforceConnector({ auth: { clientId: CLIENT_ID, username: USER, privateKey, loginUrl: small.url }, orgId: small.orgId });
  const grants = () => small.requests().filter((r) => r.url === '/services/oauth2/token');

  before(() =>
    small.registerConnectedApp({ clientId: CLIENT_ID, certificate: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(), usernames: [USER] }),
  );

  test('JWT bearer: one grant serves every request (and every connector of the process) until the session ends, then one new grant', async () => {
    const connector = jwt();
    const before = grants().length;
    const first = await pull(connector, null);
    assert.ok(first.contacts.length > 0);
    const who = first.contacts[0]!.externalId;
    assert.equal((await connector.writeBack([call(who, 1)]))[0]!.status, 'done');
    assert.equal((await jwt().writeBack([call(who, 3)]))[0]!.status, 'done', "the next job's connector");
    assert.equal(grants().length - before, 1);

    const grant = new URLSearchParams(String(grants().at(-1)!.body));
    assert.equal(grant.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    const [header, claims] = grant
      .get('assertion')!
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>);
    assert.deepEqual(header, { alg: 'RS256' });
    assert.deepEqual([claims!.iss, claims!.sub, claims!.aud], [CLIENT_ID, USER, small.url]);
    assert.ok(Number(claims!.exp) * 1000 > Date.now() && Number(claims!.exp) * 1000 <= Date.now() + 180_000, 'expires within 3 minutes');

    small.expireSessions();
    const mark = small.requests().length;
    assert.equal((await connector.writeBack([call(who, 2)]))[0]!.status, 'done');
    assert.deepEqual(
      requestsSince(small, mark).map((r) => `${r.url} ${r.status}`),
      ['/services/data/v62.0/composite/sobjects 401', '/services/oauth2/token 200', '/services/data/v62.0/composite/sobjects 200'],
    );
    assert.equal((await jwt().writeBack([call(who, 4)]))[0]!.status, 'done');
    assert.equal(grants().length - before, 2, 'the renewed session is shared too');
  });

  test('a private key that is not the certificate’s is refused with an error an admin can act on', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    await assert.rejects(pull(jwt(pem(other)), null), (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'UPSTREAM');
      assert.equal(err.retryable, false);
      assert.match(err.message, /refused the grant: invalid_grant \(invalid assertion\): the private key does not match the connected app's certificate/);
      return true;
    });
    assert.throws(
      () => jwt('-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----'),
      (err: unknown) => err instanceof AppError && err.code === 'VALIDATION' && err.field === 'auth.privateKey',
    );
  });

  test('an ended access-token session is not retried: the error says so and is not retryable', async () => {
    const connector = connect(small);
    small.expireSessions();
    await assert.rejects(
      pull(connector, null),
      (err: unknown) => err instanceof AppError && err.code === 'UPSTREAM' && !err.retryable && err.details?.errorCode === 'INVALID_SESSION_ID',
    );
  });

  test('apiBaseUrl: every API request goes there instead of the instance URL; credentials are checked first', async () => {
    const connector = createSalesforceConnector({
      auth: { accessToken: small.accessToken, instanceUrl: 'https://acme.my.salesforce.com' },
      apiBaseUrl: small.url,
    });
    assert.ok((await pull(connector, null)).contacts.length > 0);
    assert.throws(() => createSalesforceConnector({ auth: { accessToken: small.accessToken, instanceUrl: small.url }, orgId: '001nope' }), /orgId|00D/);
  });
});
