import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getCountries, getExampleNumber } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { timeZoneForPhone } from './timezone.ts';

const isZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

// [what, E.164, zone]
const cases: [string, string, string | null][] = [
  ['CN mobile', '+8613800138000', 'Asia/Shanghai'],
  ['GB London', '+442079460018', 'Europe/London'],
  ['DE Berlin', '+493012345678', 'Europe/Berlin'],
  ['JP Tokyo', '+81312345678', 'Asia/Tokyo'],
  ['IN mobile', '+919876543210', 'Asia/Kolkata'],
  ['US New York 212', '+12125550123', 'America/New_York'],
  ['US San Francisco 415', '+14155552671', 'America/Los_Angeles'],
  ['US Chicago 312', '+13125550123', 'America/Chicago'],
  ['US Denver 303', '+13035550123', 'America/Denver'],
  ['US Phoenix 602 (no DST)', '+16025550123', 'America/Phoenix'],
  ['US Honolulu 808', '+18085550123', 'Pacific/Honolulu'],
  ['US El Paso 915 is Mountain though in Texas', '+19155550123', 'America/Denver'],
  ['CA Ottawa 613', '+16135550123', 'America/Toronto'],
  ['CA Vancouver 604', '+16045550123', 'America/Vancouver'],
  ["CA St. John's 709 (−03:30)", '+17095550123', 'America/St_Johns'],
  ['NANP but not US: Jamaica 876', '+18765550123', 'America/Jamaica'],
  ['AU Sydney fixed', '+61289876543', 'Australia/Sydney'],
  ['AU mobile → most populous zone', '+61412345678', 'Australia/Sydney'],
  ['AU Perth 08 9', '+61892123456', 'Australia/Perth'],
  ['AU Darwin 08 89', '+61889812345', 'Australia/Darwin'],
  ['AU Adelaide 08 8', '+61881234567', 'Australia/Adelaide'],
  ['AU Brisbane 07 (no DST)', '+61733001234', 'Australia/Brisbane'],
  ['AU Hobart 03 6', '+61362123456', 'Australia/Hobart'],
  ['BR São Paulo mobile', '+5511987654321', 'America/Sao_Paulo'],
  ['BR Manaus mobile (UTC−4)', '+5592981234567', 'America/Manaus'],
  ['MX Mexico City', '+525512345678', 'America/Mexico_City'],
  ['MX Tijuana', '+526641234567', 'America/Tijuana'],
  ['RU mobile → Moscow', '+79161234567', 'Europe/Moscow'],
  ['RU Yekaterinburg fixed', '+73432123456', 'Asia/Yekaterinburg'],
  ['ID Bali fixed (WITA)', '+62361123456', 'Asia/Makassar'],
  ['ES Canary Islands', '+34922123456', 'Atlantic/Canary'],
  ['PT Azores', '+351296123456', 'Atlantic/Azores'],
  ['CL Punta Arenas', '+56612123456', 'America/Punta_Arenas'],
  ['invalid: too short', '+1212555', null],
  ['invalid: unknown country code', '+999123456789', null],
  ['invalid: not a number', 'call me maybe', null],
  ['invalid: no + (not E.164)', '2125550123', null],
  ['invalid: empty', '', null],
  ['non-geographic +800', '+80012345678', null],
];

describe('timeZoneForPhone', () => {
  for (const [what, e164, zone] of cases) {
    test(`${what}: ${e164} → ${zone}`, () => assert.equal(timeZoneForPhone(e164), zone));
  }

  test('every region libphonenumber knows gets a zone Intl accepts', () => {
    for (const country of getCountries()) {
      const example = getExampleNumber(country, examples);
      if (!example?.isValid() || example.country !== country) continue;
      const zone = timeZoneForPhone(example.number);
      assert.ok(zone && isZone(zone), `${country} ${example.number} → ${zone}`);
    }
  });

  test('every US/CA area code maps to a zone Intl accepts, and the big ones are in the table', () => {
    let fromTable = 0;
    for (let area = 200; area <= 999; area++) {
      const zone = timeZoneForPhone(`+1${area}2345678`);
      if (zone === null) continue; // not an assigned area code
      assert.ok(isZone(zone), `${area} → ${zone}`);
      if (zone !== 'America/New_York' && zone !== 'America/Toronto') fromTable++;
    }
    assert.ok(fromTable > 200, `only ${fromTable} area codes resolved off the default`);
  });

  test('every Brazilian DDD and Mexican area code maps to a zone Intl accepts', () => {
    for (let ddd = 11; ddd <= 99; ddd++) {
      const zone = timeZoneForPhone(`+55${ddd}987654321`);
      if (zone !== null) assert.ok(isZone(zone), `BR ${ddd} → ${zone}`);
    }
    for (let area = 200; area <= 999; area++) {
      const zone = timeZoneForPhone(`+52${area}1234567`);
      if (zone !== null) assert.ok(isZone(zone), `MX ${area} → ${zone}`);
    }
  });
});
