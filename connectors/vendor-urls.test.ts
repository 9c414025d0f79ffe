import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectors } from './registry.ts';
import { checkVendorUrls, parseAllowedHosts, urlRefusal } from './vendor-urls.ts';
import { AppError } from '../core/errors.ts';

const entry = (type: keyof typeof connectors) => connectors[type].urls;

describe("each connector's own vendor", () => {
  const genuine: [keyof typeof connectors, string][] = [
    ['twilio', 'https://api.twilio.com'],
    ['twilio', 'https://lookups.twilio.com/'],
    ['twilio', 'https://api.dublin.ie1.twilio.com'],
    ['hubspot', 'https://api.hubapi.com'],
    ['hubspot', 'https://api-eu1.hubapi.com/'],
    ['salesforce', 'https://login.salesforce.com'],
    ['salesforce', 'https://test.salesforce.com'],
    ['salesforce', 'https://acme.my.salesforce.com'],
    ['salesforce', 'https://acme--uat.sandbox.my.salesforce.com'],
    ['salesforce', 'https://na1.salesforce.com'],
    ['salesforce', 'https://acme.lightning.force.com'],
    ['shopify', 'https://demo-store.myshopify.com'],
    ['google-tts', 'https://texttospeech.googleapis.com'],
    ['google-tts', 'https://eu-texttospeech.googleapis.com'],
    // Host names are not case-sensitive; :443 is https's own port.
    ['hubspot', 'https://API.HubAPI.com:443'],
  ];
  for (const [type, url] of genuine) {
    test(`${type} accepts ${url}`, () => assert.equal(urlRefusal(url, entry(type)), null));
  }

  const refused: [keyof typeof connectors, string][] = [
    ['hubspot', 'http://api.hubapi.com'], // the token in clear text
    ['hubspot', 'https://api.hubapi.com:8443'],
    ['hubspot', 'https://hubapi.com.evil.example'],
    ['hubspot', 'https://evilhubapi.com'],
    ['hubspot', 'https://api.hubapi.com@169.254.169.254'], // user info, then the real host
    ['hubspot', 'https://127.0.0.1'],
    ['hubspot', 'https://[::1]'],
    ['hubspot', 'https://localhost'],
    ['twilio', 'https://twilio.com.attacker.net'],
    ['twilio', 'https://api.hubapi.com'], // another vendor's domain
    ['salesforce', 'https://salesforce.com.evil.example'],
    ['salesforce', 'https://10.0.0.7'],
    ['shopify', 'https://myshopify.com.evil.example'],
    ['google-tts', 'https://metadata.google.internal'],
    ['google-tts', 'ftp://texttospeech.googleapis.com'],
    ['twilio', 'not a url'],
  ];
  for (const [type, url] of refused) {
    test(`${type} refuses ${url}`, () => assert.match(urlRefusal(url, entry(type)) ?? '', /must be/));
  }
});

describe("the operator's CHASELINE_ALLOWED_VENDOR_HOSTS", () => {
  const hubspot = entry('hubspot');
  test('a host allows it on any port, over http too (simulators)', () => {
    assert.equal(urlRefusal('http://127.0.0.1:4010', hubspot, ['127.0.0.1']), null);
    assert.equal(urlRefusal('https://127.0.0.1', hubspot, ['127.0.0.1']), null);
    assert.match(urlRefusal('http://127.0.0.2:4010', hubspot, ['127.0.0.1']) ?? '', /CHASELINE_ALLOWED_VENDOR_HOSTS/);
  });
  test('host:port allows that port only (80 and 443 when none is written)', () => {
    assert.equal(urlRefusal('http://sandbox.example.com:8080/x', hubspot, ['sandbox.example.com:8080']), null);
    assert.notEqual(urlRefusal('http://sandbox.example.com:8081', hubspot, ['sandbox.example.com:8080']), null);
    assert.equal(urlRefusal('http://sandbox.example.com', hubspot, ['sandbox.example.com:80']), null);
    assert.equal(urlRefusal('https://sandbox.example.com', hubspot, ['sandbox.example.com:443']), null);
  });
  test('*.domain allows the names under it, not the domain itself or a lookalike', () => {
    assert.equal(urlRefusal('https://a.proxy.example.com', hubspot, ['*.proxy.example.com']), null);
    assert.equal(urlRefusal('https://a.b.proxy.example.com', hubspot, ['*.proxy.example.com']), null);
    assert.notEqual(urlRefusal('https://proxy.example.com', hubspot, ['*.proxy.example.com']), null);
    assert.notEqual(urlRefusal('https://badproxy.example.com', hubspot, ['*.proxy.example.com']), null);
  });
  test('IPv6 in brackets', () => {
    assert.equal(urlRefusal('http://[::1]:4010', hubspot, ['[::1]:4010']), null);
    assert.notEqual(urlRefusal('http://[::1]:4011', hubspot, ['[::1]:4010']), null);
  });
  test('the list is checked: a bad entry is named', () => {
    assert.deepEqual(parseAllowedHosts(' 127.0.0.1 , *.example.com,sandbox.example.com:8443,[::1]:9,'), [
      '127.0.0.1',
      '*.example.com',
      'sandbox.example.com:8443',
      '[::1]:9',
    ]);
    assert.deepEqual(parseAllowedHosts(''), []);
    for (const bad of ['http://127.0.0.1', 'a b', 'host:99999', '*', 'example.com/path', '::1']) {
      assert.throws(
        () => parseAllowedHosts(bad),
        (err: Error) => err.message.includes(bad),
        bad,
      );
    }
  });
});

test('checkVendorUrls names the field, nested ones included, and skips fields left out', () => {
  const salesforce = entry('salesforce');
  const fieldOf = (fn: () => void) => {
    try {
      fn();
      return null;
    } catch (err) {
      assert.ok(err instanceof AppError && err.code === 'VALIDATION');
      return err.field;
    }
  };
  assert.equal(
    fieldOf(() => checkVendorUrls({ auth: { accessToken: 'x', instanceUrl: 'https://acme.my.salesforce.com' } }, salesforce)),
    null,
  );
  assert.equal(
    fieldOf(() => checkVendorUrls({ auth: { accessToken: 'x', instanceUrl: 'http://169.254.169.254' } }, salesforce)),
    'credentials.auth.instanceUrl',
  );
  assert.equal(
    fieldOf(() => checkVendorUrls({ auth: { clientId: 'x', loginUrl: 'https://login.evil.example' } }, salesforce)),
    'credentials.auth.loginUrl',
  );
  assert.equal(
    fieldOf(() => checkVendorUrls({ apiBaseUrl: 'http://10.1.2.3', auth: { accessToken: 'x', instanceUrl: 'https://acme.my.salesforce.com' } }, salesforce)),
    'credentials.apiBaseUrl',
  );
  assert.equal(
    fieldOf(() => checkVendorUrls({ apiBaseUrl: 'http://127.0.0.1:5000', auth: { instanceUrl: 'http://127.0.0.1:5000' } }, salesforce, ['127.0.0.1'])),
    null,
  );
});
