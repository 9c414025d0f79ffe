// What Salesforce sends to start chases, parsed: an Outbound Message (SOAP, in the shape
// Salesforce's documentation records) and a Flow's JSON callout, each into the org it is from
// and its records by the sender's own delivery id (a notification's Id; a Flow request's id and
// the record's place), so a retry is recognised. What is neither is refused, saying why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ZodError } from 'zod';
import { AppError } from '../../core/errors.ts';
import { ACK, parseSalesforceDelivery } from './webhook.ts';

// https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_wsdl.htm (a notification as sent; fictional record).
const RECORDED = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00D5g000004ABCDEAZ</OrganizationId>
   <ActionId>04k5g000000KzvaAAC</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://example.my.salesforce.com/services/Soap/c/62.0/00D5g000004ABCD</EnterpriseUrl>
   <PartnerUrl>https://example.my.salesforce.com/services/Soap/u/62.0/00D5g000004ABCD</PartnerUrl>
   <Notification>
    <Id>04l5g00000C0hQzAAJ</Id>
    <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>0035g00000XyZabAAB</sf:Id>
     <sf:FirstName>Ann</sf:FirstName>
     <sf:LastName>Example</sf:LastName>
     <sf:MobilePhone> </sf:MobilePhone>
     <sf:Phone>(415) 555-0142</sf:Phone>
    </sObject>
   </Notification>
   <Notification>
    <Id>04l5g00000C0hR0AAJ</Id>
    <sObject xsi:type="sf:Lead" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>00Q5g00000AbCdEEA1</sf:Id>
     <sf:LastName>Sample</sf:LastName>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`;

test('an Outbound Message: the org, and each notification by its Id with its record', () => {
  assert.deepEqual(parseSalesforceDelivery(RECORDED, 'text/xml; charset=utf-8'), {
    orgId: '00D5g000004ABCDEAZ',
    soap: true,
    notifications: [
      { id: '04l5g00000C0hQzAAJ', record: { externalId: '0035g00000XyZabAAB', phone: '(415) 555-0142', name: 'Ann Example' } },
      { id: '04l5g00000C0hR0AAJ', record: { externalId: '00Q5g00000AbCdEEA1', phone: null, name: 'Sample' } },
    ],
  });
  assert.match(ACK, /<Ack>true<\/Ack>/);
});

test('a Flow callout: each record by the request id and its place, the same on a retry', () => {
  const body = JSON.stringify({
    organizationId: '00D5g000004ABCDEAZ',
    requestId: 'req-7',
    records: [{ Id: '0035g00000XyZabAAB', MobilePhone: '+14155550142' }, { Id: '0035g00000XyZacAAB' }],
  });
  const first = parseSalesforceDelivery(body, 'application/json');
  assert.deepEqual(
    first.notifications.map((n) => n.id),
    ['req-7:0', 'req-7:1'],
  );
  assert.equal(first.notifications[0]!.record.phone, '+14155550142');
  assert.deepEqual(parseSalesforceDelivery(body, 'application/json'), first);
  assert.equal(first.soap, false);
});

test('what is neither is refused, saying why', () => {
  assert.throws(
    () => parseSalesforceDelivery('<x/>', 'text/xml'),
    (e: unknown) => e instanceof AppError && /not an Outbound Message/.test(e.message),
  );
  assert.throws(
    () => parseSalesforceDelivery(RECORDED.replace('<Id>04l5g00000C0hR0AAJ</Id>', ''), 'text/xml'),
    (e: unknown) => e instanceof AppError && /Notification 2 has no Id/.test(e.message),
  );
  assert.throws(() => parseSalesforceDelivery(RECORDED.replace('0035g00000XyZabAAB', 'not-an-id'), 'text/xml'), ZodError);
  assert.throws(() => parseSalesforceDelivery(JSON.stringify({ organizationId: 'x', records: [] }), 'application/json'), ZodError);
});
