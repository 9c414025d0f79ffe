/**
 * Salesforce starts chases at the real HTTP server: an Outbound Message (SOAP, as a workflow
 * or Flow sends it) and a Flow's JSON callout, each found by the org's id and the URL's key.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import { campaign } from '../chases/support.ts';

const ORG = '00D5g000004ABCDEAZ';
const SECRET = 'f0b1c2d3e4f5a6b7c8d9';
let app: TestApp & { worker: WorkerDeps };
let campaignId: string;

before(async () => {
  // No worker: the chases are started, not run.
  app = await testEngineApp({ worker: false });
  const put = await app.request('PUT', '/v1/connectors/salesforce', {
    body: {
      credentials: { auth: { accessToken: '00D5g000004ABCD!AQ0123456789', instanceUrl: 'https://acme.my.salesforce.com' }, orgId: ORG, inboundSecret: SECRET },
    },
  });
  assert.equal(put.status, 200, put.text);
  campaignId = (await campaign(app.worker, app.tenantId, { name: 'from salesforce' })).id;
});
after(() => app?.close());

const outboundMessage = (orgId: string, notifications: { id: string; sObject: Record<string, string> }[]) => `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>${orgId}</OrganizationId>
   <ActionId>04k5g000000KzvaAAC</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://acme.my.salesforce.com/services/Soap/c/62.0/00D5g000004ABCD</EnterpriseUrl>
   <PartnerUrl>https://acme.my.salesforce.com/services/Soap/u/62.0/00D5g000004ABCD</PartnerUrl>
${notifications
  .map(
    (n) => `   <Notification>
    <Id>${n.id}</Id>
    <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
${Object.entries(n.sObject)
  .map(([k, v]) => `     <sf:${k}>${v}</sf:${k}>`)
  .join('\n')}
    </sObject>
   </Notification>`,
  )
  .join('\n')}
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`;

const post = (body: string, query: string, contentType = 'text/xml; charset=utf-8') =>
  fetch(`${app.url}/webhooks/salesforce?${query}`, { method: 'POST', headers: { 'content-type': contentType, soapaction: '""' }, body });

async function chasesOf(externalId: string) {
  const { rows } = await app.db.pool.query<{ status: string }>(
    `select ch.status from chases ch join contact_crm_refs r on r.tenant_id = ch.tenant_id and r.contact_id = ch.contact_id
      where r.system = 'salesforce' and r.external_id = $1`,
    [externalId],
  );
  return rows.map((r) => r.status);
}

describe('Salesforce starts chases', () => {
  test('an Outbound Message chases each notified Contact, answers the Ack, and a redelivery is acted on once', async () => {
    const message = outboundMessage(ORG, [
      { id: '04l5g00000AbCdEAAV', sObject: { Id: '0035g00000XyZ01AAB', FirstName: 'Ada', LastName: 'Lo', MobilePhone: '+8613800138001' } },
      { id: '04l5g00000AbCdFAAV', sObject: { Id: '0035g00000XyZ02AAB', LastName: 'Chan', Phone: '13800138002' } },
    ]);
    const res = await post(message, `campaign=${campaignId}&key=${SECRET}`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<Ack>true<\/Ack>/);
    assert.deepEqual(await chasesOf('0035g00000XyZ01AAB'), ['scheduled']);
    assert.deepEqual(await chasesOf('0035g00000XyZ02AAB'), ['scheduled'], 'a national number is read in the tenant’s region');
    const contacts = await app.request('GET', '/v1/contacts?crmSystem=salesforce');
    assert.equal(contacts.status, 200, contacts.text);
    assert.deepEqual((contacts.body as { items: { name: string }[] }).items.map((c) => c.name).sort(), ['Ada Lo', 'Chan']);

    // Salesforce retries until it gets the Ack; the chase has ended meanwhile — the retry must not start another.
    await app.db.pool.query(`update chases set status = 'completed'`);
    const again = await post(message, `campaign=${campaignId}&key=${SECRET}`);
    assert.equal(again.status, 200);
    assert.deepEqual(await chasesOf('0035g00000XyZ01AAB'), ['completed']);
  });

  test('a Flow’s JSON callout chases its records', async () => {
    const res = await post(
      JSON.stringify({ organizationId: ORG, requestId: 'flow-1', records: [{ Id: '00Q5g00000LeAd1EAF', FirstName: 'Bo', MobilePhone: '+8613800138003' }] }),
      `campaign=${campaignId}&key=${SECRET}`,
      'application/json',
    );
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(((await res.json()) as { counts: Record<string, number> }).counts, { started: 1 });
    assert.deepEqual(await chasesOf('00Q5g00000LeAd1EAF'), ['scheduled']);
  });

  test('a wrong key or an unknown org is refused, and nothing is chased', async () => {
    const message = outboundMessage(ORG, [{ id: '04l5g00000ZzZzZAAV', sObject: { Id: '0035g00000XyZ09AAB', MobilePhone: '+8613800138009' } }]);
    assert.equal((await post(message, `campaign=${campaignId}&key=wrong-key-0000000000`)).status, 401);
    assert.equal((await post(message, `campaign=${campaignId}`)).status, 401);
    assert.equal(
      (
        await post(
          outboundMessage('00D5g000009ZZZZEAZ', [{ id: '04l5g00000ZzZzYAAV', sObject: { Id: '0035g00000XyZ09AAB', MobilePhone: '+8613800138009' } }]),
          `campaign=${campaignId}&key=${SECRET}`,
        )
      ).status,
      401,
    );
    assert.deepEqual(await chasesOf('0035g00000XyZ09AAB'), []);
  });

  test('a missing campaign or an unreadable body says what is wrong; a record without a number is acknowledged, not chased', async () => {
    const message = outboundMessage(ORG, [{ id: '04l5g00000NoNumAAV', sObject: { Id: '0035g00000NoNumAAB', LastName: 'Nobody' } }]);
    const noCampaign = await post(message, `key=${SECRET}`);
    assert.equal(noCampaign.status, 400);
    assert.match(await noCampaign.text(), /campaign/);
    const unknown = await post(message, `campaign=00000000-0000-4000-8000-000000000000&key=${SECRET}`);
    assert.equal(unknown.status, 404);
    const garbage = await post('<not-soap/>', `campaign=${campaignId}&key=${SECRET}`);
    assert.equal(garbage.status, 400);
    assert.match(await garbage.text(), /OrganizationId/);
    const ok = await post(message, `campaign=${campaignId}&key=${SECRET}`);
    assert.equal(ok.status, 200);
    assert.deepEqual(await chasesOf('0035g00000NoNumAAB'), []);
  });

  test('an org id saved as Setup shows it (15 characters) matches the 18-character id a delivery sends', async () => {
    const put = await app.request('PUT', '/v1/connectors/salesforce', {
      body: {
        credentials: {
          auth: { accessToken: '00D5g000004ABCD!AQ0123456789', instanceUrl: 'https://acme.my.salesforce.com' },
          orgId: ORG.slice(0, 15),
          inboundSecret: SECRET,
        },
      },
    });
    assert.equal(put.status, 200, put.text);
    const message = outboundMessage(ORG, [{ id: '04l5g00000Org15AAV', sObject: { Id: '0035g00000Org15AAB', MobilePhone: '+8613800138015' } }]);
    assert.equal((await post(message, `campaign=${campaignId}&key=${SECRET}`)).status, 200);
    assert.deepEqual(await chasesOf('0035g00000Org15AAB'), ['scheduled']);
  });
});
