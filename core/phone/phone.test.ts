import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { getCountries, getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import mobileExamples from 'libphonenumber-js/mobile/examples';
import { isRegionCode, normalizePhone, PHONE_MAX_LENGTH, PHONE_REASONS, phoneProblem, type PhoneType, type RawPhone } from './phone.ts';

const show = (input: unknown) => (typeof input === 'string' ? JSON.stringify(input) : String(input));
const CN_MOBILE = '+8613800138000';
const BEIJING = '+861065529988';
const SHENZHEN = '+8675588881234';
const LONDON = '+442079460018';
const SAN_FRANCISCO = '+14155552671';

// [input, default region, E.164, type, country]
const valid: [unknown, string, string, PhoneType, string][] = [
  // China: mobiles in every shape people and spreadsheets produce
  ['13800138000', 'CN', CN_MOBILE, 'mobile', 'CN'],
  ['138 0013 8000', 'CN', CN_MOBILE, 'mobile', 'CN'],
  ['138-0013-8000', 'CN', CN_MOBILE, 'mobile', 'CN'],
  ['138.0013.8000', 'CN', CN_MOBILE, 'mobile', 'CN'],
  ['138–0013—8000', 'CN', CN_MOBILE, 'mobile', 'CN'], // en and em dash
  ['138−0013−8000', 'CN', CN_MOBILE, 'mobile', 'CN'], // U+2212 minus sign
  ['+86 138 0013 8000', 'US', CN_MOBILE, 'mobile', 'CN'],
  ['(+86) 138 0013 8000', 'US', CN_MOBILE, 'mobile', 'CN'],
  ['+86\u00a0138\u00a00013\u00a08000', 'CN', CN_MOBILE, 'mobile', 'CN'], // NBSP
  ['138\u30000013\u30008000', 'CN', CN_MOBILE, 'mobile', 'CN'], // ideographic space
  ['１３８００１３８０００', 'CN', CN_MOBILE, 'mobile', 'CN'], // full-width digits
  ['＋８６　１３８－００１３－８０００', 'US', CN_MOBILE, 'mobile', 'CN'], // full-width +, space, hyphen
  ['（＋８６）１３８００１３８０００', 'CN', CN_MOBILE, 'mobile', 'CN'], // full-width parentheses
  ['\ufeff\u200b13800138000\u200e', 'CN', CN_MOBILE, 'mobile', 'CN'], // BOM, zero-width space, LRM
  ['  13800138000\t', 'CN', CN_MOBILE, 'mobile', 'CN'],
  ['0086 138 0013 8000', 'CN', CN_MOBILE, 'mobile', 'CN'],
  ['0086-138-0013-8000', 'US', CN_MOBILE, 'mobile', 'CN'], // US dials 011, '00' still understood
  ['8613800138000', 'CN', CN_MOBILE, 'mobile', 'CN'], // '+' dropped by a spreadsheet
  ['86 138 0013 8000', 'GB', CN_MOBILE, 'mobile', 'CN'],
  ['13800138000.0', 'CN', CN_MOBILE, 'mobile', 'CN'], // float-typed CSV column
  ['138.0013.800.0', 'CN', CN_MOBILE, 'mobile', 'CN'], // dots as separators, the last group a lone 0: not a decimal
  ['1380013800.0', 'CN', CN_MOBILE, 'mobile', 'CN'], // the same, read as digits first because that is a valid number
  ['17951 13800138000', 'CN', CN_MOBILE, 'mobile', 'CN'], // carrier IP-dialling prefix
  [13800138000, 'CN', CN_MOBILE, 'mobile', 'CN'], // spreadsheet number cell
  [8613800138000, 'US', CN_MOBILE, 'mobile', 'CN'],
  [13800138000n, 'CN', CN_MOBILE, 'mobile', 'CN'],
  ['tel:+86-138-0013-8000', 'US', CN_MOBILE, 'mobile', 'CN'],
  ['TEL:+86-138-0013-8000;ext=5', 'US', CN_MOBILE, 'mobile', 'CN'],
  ['13800138000', 'cn', CN_MOBILE, 'mobile', 'CN'], // region case is forgiven
  // China: landlines with trunk prefix and area codes
  ['010-65529988', 'CN', BEIJING, 'fixed_line', 'CN'],
  ['(010) 6552 9988', 'CN', BEIJING, 'fixed_line', 'CN'],
  ['+86 10 6552 9988', 'DE', BEIJING, 'fixed_line', 'CN'],
  ['+86 (0)10 6552 9988', 'CN', BEIJING, 'fixed_line', 'CN'],
  ['tel:6552-9988;phone-context=+86-10', 'US', BEIJING, 'fixed_line', 'CN'],
  ['tel:010-6552-9988;phone-context=example.com', 'CN', BEIJING, 'fixed_line', 'CN'], // domain context ignored
  ['0755-88881234', 'CN', SHENZHEN, 'fixed_line', 'CN'],
  ['0755 8888 1234', 'CN', SHENZHEN, 'fixed_line', 'CN'],
  ['+86-0755-88881234', 'CN', SHENZHEN, 'fixed_line', 'CN'],
  ['800-810-8888', 'CN', '+868008108888', 'toll_free', 'CN'],
  ['400-810-8888', 'CN', '+864008108888', 'shared_cost', 'CN'],
  // United States
  ['(415) 555-2671', 'US', SAN_FRANCISCO, 'fixed_line_or_mobile', 'US'],
  ['1 (415) 555-2671', 'US', SAN_FRANCISCO, 'fixed_line_or_mobile', 'US'],
  ['415.555.2671', 'US', SAN_FRANCISCO, 'fixed_line_or_mobile', 'US'],
  ['+1 415-555-2671', 'CN', SAN_FRANCISCO, 'fixed_line_or_mobile', 'US'],
  ['14155552671', 'GB', SAN_FRANCISCO, 'fixed_line_or_mobile', 'US'], // '+' dropped
  ['1-800-555-0199', 'US', '+18005550199', 'toll_free', 'US'],
  ['(416) 555-1234', 'US', '+14165551234', 'fixed_line_or_mobile', 'CA'], // +1 shared by NANP
  // United Kingdom
  ['020 7946 0018', 'GB', LONDON, 'fixed_line', 'GB'],
  ['+44 (0)20 7946 0018', 'US', LONDON, 'fixed_line', 'GB'],
  ['0044 20 7946 0018', 'DE', LONDON, 'fixed_line', 'GB'],
  ['011 44 20 7946 0018', 'US', LONDON, 'fixed_line', 'GB'], // US IDD
  ['07400 123456', 'GB', '+447400123456', 'mobile', 'GB'],
  ['447400123456', 'CN', '+447400123456', 'mobile', 'GB'],
  // Germany
  ['030 12345678', 'DE', '+493012345678', 'fixed_line', 'DE'],
  ['030/12345678', 'DE', '+493012345678', 'fixed_line', 'DE'],
  ['+49 (0)30 12345678', 'FR', '+493012345678', 'fixed_line', 'DE'],
  ['0151 12345678', 'DE', '+4915112345678', 'mobile', 'DE'],
  // France
  ['06 12 34 56 78', 'FR', '+33612345678', 'mobile', 'FR'],
  ['+33 (0)6 12 34 56 78', 'CN', '+33612345678', 'mobile', 'FR'],
  ['01 23 45 67 89', 'FR', '+33123456789', 'fixed_line', 'FR'],
  // Japan
  ['090-1234-5678', 'JP', '+819012345678', 'mobile', 'JP'],
  ['03-1234-5678', 'JP', '+81312345678', 'fixed_line', 'JP'],
  ['０９０ー１２３４ー５６７８', 'JP', '+819012345678', 'mobile', 'JP'], // full-width, 'ー' as dash
  // India
  ['98765 43210', 'IN', '+919876543210', 'mobile', 'IN'],
  ['098765 43210', 'IN', '+919876543210', 'mobile', 'IN'],
  ['+91 98765-43210', 'CN', '+919876543210', 'mobile', 'IN'],
  // Brazil
  ['(11) 91234-5678', 'BR', '+5511912345678', 'mobile', 'BR'],
  ['(11) 2345-6789', 'BR', '+551123456789', 'fixed_line', 'BR'],
  ['+55 11 91234-5678', 'US', '+5511912345678', 'mobile', 'BR'],
  // Australia
  ['0412 345 678', 'AU', '+61412345678', 'mobile', 'AU'],
  ['(02) 9876 5432', 'AU', '+61298765432', 'fixed_line', 'AU'],
  ['+61 2 9876 5432', 'CN', '+61298765432', 'fixed_line', 'AU'],
  // Hong Kong
  ['5123 4567', 'HK', '+85251234567', 'mobile', 'HK'],
  ['2123 4567', 'HK', '+85221234567', 'fixed_line', 'HK'],
  ['+852 5123 4567', 'CN', '+85251234567', 'mobile', 'HK'],
  ['85251234567', 'CN', '+85251234567', 'mobile', 'HK'], // '+' dropped in a mainland sheet
  // Russia (trunk prefix 8) and Kazakhstan sharing +7
  ['8 (912) 345-67-89', 'RU', '+79123456789', 'mobile', 'RU'],
  ['+7 912 345-67-89', 'CN', '+79123456789', 'mobile', 'RU'],
  ['8 800 555-35-35', 'RU', '+78005553535', 'toll_free', 'RU'],
  ['+7 701 234 5678', 'RU', '+77012345678', 'mobile', 'KZ'],
  // Other scripts' digits, non-geographic numbers, unknown default region
  ['۰۹۱۲ ۱۲۳ ۴۵۶۷', 'IR', '+989121234567', 'mobile', 'IR'], // Persian digits
  ['+800 1234 5678', 'CN', '+80012345678', 'toll_free', ''], // no region: country is null
  ['+86 138 0013 8000', 'XX', CN_MOBILE, 'mobile', 'CN'],
  ['0044 20 7946 0018', '', LONDON, 'fixed_line', 'GB'],
];

for (const [input, region, e164, type, country] of valid) {
  test(`valid: ${show(input)} in ${JSON.stringify(region)} → ${e164}`, () => {
    assert.deepEqual(normalizePhone(input, region), {
      input: String(input),
      valid: true,
      e164,
      type,
      country: country || null,
      reason: null,
    });
  });
}

// [input, default region, reason]
const invalid: [unknown, string, string][] = [
  [null, 'CN', 'missing'],
  [undefined, 'CN', 'missing'],
  ['', 'CN', 'missing'],
  [' \u3000\u00a0', 'CN', 'missing'],
  ['-', 'CN', 'missing'], // spreadsheet placeholder
  ['abc', 'CN', 'invalid characters'],
  ['1.38001E+10', 'CN', 'rounded by a spreadsheet'],
  ['8.61380E+12', 'CN', 'rounded by a spreadsheet'],
  ['1,5e10', 'DE', 'rounded by a spreadsheet'],
  ['1-800-FLOWERS', 'US', 'invalid characters'],
  ['138-0013-800a', 'CN', 'invalid characters'],
  ['#', 'CN', 'invalid characters'],
  ['*', 'CN', 'invalid characters'],
  ['*13800138000#', 'CN', 'invalid characters'],
  ['138 0013 8000 ext 5', 'CN', 'invalid characters'],
  ['138 0013 8000 x5', 'CN', 'invalid characters'],
  ['📞 13800138000', 'CN', 'invalid characters'],
  ['++86 138 0013 8000', 'CN', 'invalid characters'],
  ['86+13800138000', 'CN', 'invalid characters'],
  ['13800138000+', 'CN', 'invalid characters'],
  ['电话13800138000', 'CN', 'invalid characters'],
  ['13800138000,13900139000', 'CN', 'invalid characters'],
  ['0755-8888 1234~6', 'CN', 'invalid characters'], // a range of numbers
  ['sip:+8613800138000', 'CN', 'invalid characters'],
  [-13800138000, 'CN', 'invalid characters'],
  [13800138000.5, 'CN', 'invalid characters'],
  [Number.NaN, 'CN', 'invalid characters'],
  [{ phone: '13800138000' }, 'CN', 'invalid characters'],
  ['+', 'CN', 'too short'],
  ['1', 'CN', 'too short'],
  ['10086', 'CN', 'too short'],
  ['+86 1', 'CN', 'too short'],
  ['+44 20 7946', 'CN', 'too short'],
  ['1380013800', 'CN', 'not a valid number'], // a digit missing
  ['12345678901', 'CN', 'not a valid number'], // placeholder: never re-read as +1 234-567-8901
  ['138001380001', 'CN', 'not a valid number'],
  ['123456789012345678', 'CN', 'too long'],
  ['+44 20 7946 0018 0018', 'CN', 'too long'],
  ['+8613800138000000000', 'US', 'too long'],
  ['+999 1234 5678', 'CN', 'invalid country code'],
  ['13800138000', 'XX', 'invalid country code'], // no usable region and no '+'
  ['13800138000', '', 'invalid country code'],
  ['+1 (555) 555-5555', 'US', 'not a valid number'],
  ['010-1234', 'CN', 'not a valid number'],
];

for (const [input, region, reason] of invalid) {
  test(`invalid: ${show(input)} in ${region} → ${reason}`, () => {
    const result = normalizePhone(input, region);
    assert.equal(result.reason, reason);
    assert.deepEqual(
      { ...result, reason: null },
      {
        input: input === null || input === undefined ? '' : String(input),
        valid: false,
        e164: null,
        type: null,
        country: null,
        reason: null,
      },
    );
  });
}

test('spreadsheet numbers are formatted without an exponent', () => {
  assert.equal(normalizePhone(8613800138000, 'CN').e164, CN_MOBILE);
  assert.equal(normalizePhone(14155552671, 'GB').e164, SAN_FRANCISCO);
  assert.equal(normalizePhone(1e21, 'CN').reason, 'too long');
  assert.equal(normalizePhone(1e21, 'CN').input, '1e+21');
});

test('isRegionCode knows libphonenumber regions, upper-case only', () => {
  for (const region of ['CN', 'US', 'GB', 'DE', 'HK', 'XK']) assert.equal(isRegionCode(region), true, region);
  for (const region of ['cn', 'Cn', 'XX', 'ZZ', '', 'CHN', '001', ' CN', 'toString']) assert.equal(isRegionCode(region), false, region);
});

const regions = getCountries().filter((c) => mobileExamples[c] !== undefined);
const separators = [' ', '-', '.', '', '  ', '\u00a0', '\u3000', '\u2013', '\u2014', '/', ' - '];
const toFullWidth = (s: string) => s.replace(/[0-9+\-() ]/g, (c) => (c === ' ' ? '\u3000' : String.fromCharCode(c.charCodeAt(0) + 0xfee0)));

test('property: any format of an example number, with any separators, normalises back to it', () => {
  const example = fc.constantFrom(...regions).map((country) => ({ country, number: getExampleNumber(country, mobileExamples)! }));
  fc.assert(
    fc.property(
      example,
      fc.constantFrom('INTERNATIONAL', 'NATIONAL', 'E.164', 'RFC3966'),
      fc.array(fc.constantFrom(...separators), { minLength: 20, maxLength: 20 }),
      fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
      fc.boolean(),
      fc.constantFrom<string>('CN', 'US', 'GB', 'XX'),
      ({ country, number }, format, seps, gaps, fullWidth, otherRegion) => {
        let i = 0;
        // Re-separate: every existing separator is swapped, and random gaps are cut between digits.
        let text = number
          .format(format)
          .replace(/[ -]/g, () => seps[i++ % seps.length]!)
          .replace(/(?<=\d)(?=\d)/g, () => {
            const k = i++;
            return gaps[k % gaps.length] ? seps[k % seps.length]! : '';
          });
        if (fullWidth) text = toFullWidth(text);
        const region = format === 'NATIONAL' ? country : otherRegion;
        const result = normalizePhone(text, region);
        assert.equal(result.e164, number.number, `${JSON.stringify(text)} in ${region}`);
        assert.ok(result.type === 'mobile' || result.type === 'fixed_line_or_mobile', `${text}: ${result.type}`);
      },
    ),
    { numRuns: 3000 },
  );
});

test('property: validity and type agree with libphonenumber for arbitrary +digits', () => {
  const callingCodes = ['1', '7', '33', '44', '49', '55', '61', '81', '86', '91', '852', '800', '979'];
  fc.assert(
    fc.property(fc.constantFrom(...callingCodes), fc.stringMatching(/^[0-9]{4,14}$/), (cc, rest) => {
      const text = `+${cc}${rest}`;
      const reference = parsePhoneNumberFromString(text);
      const result = normalizePhone(text, 'CN');
      assert.equal(result.valid, reference?.isValid() ?? false, text);
      if (result.valid) {
        assert.equal(result.e164, reference?.number);
        assert.equal(result.type, (reference?.getType() ?? 'unknown').toLowerCase());
        assert.equal(result.country, reference?.country ?? null);
      }
    }),
    { numRuns: 5000 },
  );
});

test('property: any input gives a well-formed result and never throws', () => {
  const reasons: readonly string[] = PHONE_REASONS;
  fc.assert(
    fc.property(
      fc.oneof(fc.string(), fc.stringMatching(/^[+0-9 ()\-.]{0,20}$/), fc.integer(), fc.double()),
      fc.constantFrom<string>('CN', 'US', 'XX'),
      (input, region) => {
        const result = normalizePhone(input, region);
        assert.equal(result.input, String(input));
        if (result.valid) {
          assert.match(result.e164 ?? '', /^\+[1-9]\d{6,14}$/);
          assert.equal(result.reason, null);
        } else {
          assert.ok(reasons.includes(result.reason ?? ''), String(result.reason));
          assert.equal(result.e164 ?? result.type ?? result.country, null);
        }
      },
    ),
    { numRuns: 3000 },
  );
});

// [raw phone, tenant region, E.164 or reason]: which country a number is read in.
const precedence: [RawPhone | string, string, string][] = [
  // 1. A number's own '+' wins over the source's country and the tenant's region.
  [{ raw: '+1 650-253-0000', country: 'CN' }, 'CN', '+16502530000'],
  [{ raw: '(+86) 138 0013 8000', country: 'US' }, 'GB', CN_MOBILE],
  [{ raw: 'tel:+44-20-7946-0018', country: 'US' }, 'US', LONDON],
  [{ raw: '＋８６ １３８ ００１３ ８０００', country: 'JP' }, 'JP', CN_MOBILE],
  // 2. Else the source's country, in any case; one libphonenumber does not know says nothing.
  [{ raw: '(415) 555-2671', country: 'US' }, 'CN', SAN_FRANCISCO],
  [{ raw: '(415) 555-2671', country: 'us' }, 'CN', SAN_FRANCISCO],
  [{ raw: '020 7946 0018', country: 'GB' }, 'US', LONDON],
  [{ raw: '13800138000', country: 'XX' }, 'CN', CN_MOBILE],
  [{ raw: '13800138000', country: 'China' }, 'CN', CN_MOBILE],
  [{ raw: '13800138000', country: null }, 'CN', CN_MOBILE],
  [{ raw: '13800138000' }, 'CN', CN_MOBILE],
  // 3. Else the tenant's region; a national number of another country is not guessed at.
  ['13800138000', 'CN', CN_MOBILE],
  ['(415) 555-2671', 'US', SAN_FRANCISCO],
  ['(415) 555-2671', 'CN', '+864155552671'], // a Chinese fixed line: why the source's country must come first
  [{ raw: '13800138000', country: 'US' }, 'CN', 'not a valid number'], // a US record's number is read as American
  // Then once as international: '00' as the IDD, a '+' a spreadsheet dropped.
  [{ raw: '0044 20 7946 0018', country: 'CN' }, 'US', LONDON],
  [{ raw: '8613800138000', country: 'GB' }, 'US', CN_MOBILE],
  // What the text itself says is wrong wins over any country.
  [{ raw: '', country: 'US' }, 'CN', 'missing'],
  [{ raw: '+', country: 'US' }, 'CN', 'too short'],
  [{ raw: 'call me', country: 'US' }, 'CN', 'invalid characters'],
  [{ raw: '+1 650 253 0000 ext 12', country: 'US' }, 'CN', 'invalid characters'],
];

for (const [phone, region, expected] of precedence) {
  test(`precedence: ${JSON.stringify(phone)} for a ${region} tenant → ${expected}`, () => {
    const result = normalizePhone(phone, region);
    if (expected.startsWith('+')) assert.equal(result.e164, expected, `${result.reason}`);
    else assert.deepEqual([result.valid, result.reason], [false, expected]);
    assert.equal(result.input, typeof phone === 'string' ? phone : phone.raw, 'the input is the text as written');
  });
}

test('a raw phone and its bare text read the same when the source gives no country', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[+0-9 ()\-.]{0,20}$/)), fc.constantFrom('CN', 'US', 'GB'), (text, region) => {
      assert.deepEqual(normalizePhone({ raw: text, country: null }, region), normalizePhone(text, region));
    }),
    { numRuns: 1000 },
  );
});

test('text past PHONE_MAX_LENGTH is too long, whatever it holds (a megabyte included)', () => {
  const padded = `${' '.repeat(PHONE_MAX_LENGTH)}+86 138 0013 8000${' '.repeat(PHONE_MAX_LENGTH)}`;
  assert.equal(normalizePhone(padded, 'CN').e164, CN_MOBILE, 'surrounding blanks do not count');
  const exact = `+86 138 0013 8000${'\u00a0'.repeat(PHONE_MAX_LENGTH - 17)}`;
  assert.equal(exact.length, PHONE_MAX_LENGTH);
  assert.equal(normalizePhone(exact, 'CN').e164, CN_MOBILE);
  for (const text of ['1'.repeat(PHONE_MAX_LENGTH + 1), 'a'.repeat(100_000), '+86 138 0013 8000 ' + '-'.repeat(60), '9'.repeat(5_000_000)]) {
    const result = normalizePhone(text, 'CN');
    assert.deepEqual([result.valid, result.reason], [false, 'too long'], text.slice(0, 20));
    assert.equal(result.input, text);
  }
});

test('phoneProblem is the one wording of a bad number', () => {
  assert.equal(phoneProblem(normalizePhone('+', 'CN')), 'phone: too short');
  assert.equal(phoneProblem(normalizePhone('1'.repeat(65), 'CN')), 'phone: too long');
  assert.equal(phoneProblem(normalizePhone({ raw: 'x', country: 'US' }, 'CN')), 'phone: invalid characters');
});
