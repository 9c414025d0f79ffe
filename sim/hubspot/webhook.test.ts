// Webhook deliveries, checked by an implementation written here from HubSpot's docs (not
// the simulator's signer) and by the official client's own Signature.isValid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Signature } from '@hubspot/api-client';
import { startHubspotSim } from './index.ts';
import { startReceiver } from './testing.ts';

/** HubSpot's v3 check, per the docs: method + URI + body + timestamp, HMAC-SHA256, base64, 5 minutes. */
function verifyV3(secret: string, method: string, uri: string, body: string, timestamp: string, signature: string): boolean {
  if (Date.now() - Number(timestamp) > 5 * 60_000) return false;
  const expected = createHmac('sha256', secret).update(`${method}${uri}${body}${timestamp}`, 'utf8').digest('base64');
  return expected === signature;
}

test('a contact.propertyChange batch arrives signed with v3 and verifies independently', async () => {
  const app = await startReceiver();
  const sim = await startHubspotSim({ rateLimits: false });
  try {
    const target = `${app.url}/webhooks/hubspot?tenant=t1`;
    const delivery = await sim.sendWebhook(
      [
        { subscriptionType: 'contact.propertyChange', objectId: 101, propertyName: 'phone', propertyValue: '+14155550100' },
        { subscriptionType: 'contact.creation', objectId: 102 },
      ],
      { targetUrl: target },
    );
    assert.equal(delivery.status, 200);
    const [req] = app.received;
    assert.ok(req);
    assert.equal(req.method, 'POST');
    const events = JSON.parse(req.body) as Record<string, unknown>[];
    assert.equal(events.length, 2);
    assert.equal(events[0]?.subscriptionType, 'contact.propertyChange');
    assert.equal(events[0]?.portalId, sim.portalId);
    assert.equal(events[0]?.attemptNumber, 0);
    assert.equal(typeof events[0]?.eventId, 'number');
    assert.notEqual(events[0]?.eventId, events[1]?.eventId, 'each event has its own id (the dedupe key)');
    assert.equal(events[1]?.changeFlag, 'CREATED');

    const sig = String(req.headers['x-hubspot-signature-v3']);
    const ts = String(req.headers['x-hubspot-request-timestamp']);
    assert.match(ts, /^\d{13}$/);
    assert.equal(verifyV3(sim.clientSecret, 'POST', target, req.body, ts, sig), true);
    assert.equal(verifyV3('another-secret', 'POST', target, req.body, ts, sig), false);
    assert.equal(verifyV3(sim.clientSecret, 'POST', target, req.body.replace('101', '103'), ts, sig), false);
    assert.equal(
      Signature.isValid({
        signatureVersion: 'v3',
        signature: sig,
        clientSecret: sim.clientSecret,
        requestBody: req.body,
        url: target,
        method: 'POST',
        timestamp: Number(ts),
      }),
      true,
    );
    // The v1 header rides along for older receivers.
    assert.equal(req.headers['x-hubspot-signature-version'], 'v1');
    assert.equal(
      Signature.isValid({
        signatureVersion: 'v1',
        signature: String(req.headers['x-hubspot-signature']),
        clientSecret: sim.clientSecret,
        requestBody: req.body,
      }),
      true,
    );
  } finally {
    await sim.close();
    await app.close();
  }
});

test('an old timestamp is rejected by a receiver; escapes HubSpot decodes sign as decoded', async () => {
  const app = await startReceiver(401);
  const sim = await startHubspotSim({ rateLimits: false });
  try {
    const old = Date.now() - 6 * 60_000;
    const delivery = await sim.sendWebhook([{ subscriptionType: 'contact.deletion', objectId: 7 }], { targetUrl: `${app.url}/hook`, timestamp: old });
    assert.equal(delivery.status, 401, "the receiver's answer is reported back");
    const req = app.received[0]!;
    assert.equal(verifyV3(sim.clientSecret, 'POST', `${app.url}/hook`, req.body, String(old), String(req.headers['x-hubspot-signature-v3'])), false);
    assert.throws(
      () =>
        Signature.isValid({
          signatureVersion: 'v3',
          signature: String(req.headers['x-hubspot-signature-v3']),
          clientSecret: sim.clientSecret,
          requestBody: req.body,
          url: `${app.url}/hook`,
          timestamp: old,
        }),
      /Timestamp is invalid/,
    );

    await sim.sendWebhook([{ subscriptionType: 'contact.creation', objectId: 8 }], { targetUrl: `${app.url}/hook?next=a%3Ab` });
    const second = app.received[1]!;
    const sig = String(second.headers['x-hubspot-signature-v3']);
    const ts = String(second.headers['x-hubspot-request-timestamp']);
    assert.equal(verifyV3(sim.clientSecret, 'POST', `${app.url}/hook?next=a:b`, second.body, ts, sig), true);
  } finally {
    await sim.close();
    await app.close();
  }
});
