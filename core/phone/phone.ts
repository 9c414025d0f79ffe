/**
 * Phone normalisation: any messy human or spreadsheet input → E.164, validity, number type
 * and region, or a short stable reason why not. Uses libphonenumber-js *max* metadata so
 * validity and mobile / fixed-line typing are exact (the default "min" metadata only checks
 * lengths and leading digits).
 * https://github.com/catamphetamine/libphonenumber-js#min-vs-max-vs-mobile
 */
import {
  isSupportedCountry,
  Metadata,
  ParseError,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
  type CountryCode,
  type PhoneNumber,
  type PhoneNumberType,
} from 'libphonenumber-js/max';
import mobileExamples from 'libphonenumber-js/mobile/examples';

/**
 * A number as a source gave it: the text as written and,
 * when the source says so, the country it belongs to (ISO 3166-1 alpha-2: a CRM record's
 * country, the store address it came with). Every way a number enters Chaseline — imports,
 * CRM pages, store events, the API, the CRM plugins — hands one of these (or its bare text)
 * to `normalizePhone`.
 */
export interface RawPhone {
  raw: string;
  country?: string | null;
}

export type PhoneType =
  | 'mobile'
  | 'fixed_line'
  | 'fixed_line_or_mobile'
  | 'toll_free'
  | 'premium_rate'
  | 'shared_cost'
  | 'voip'
  | 'personal_number'
  | 'pager'
  | 'uan'
  | 'voicemail'
  | 'unknown';

export interface PhoneResult {
  /** The input as given (String(input) for numbers; '' for null/undefined). */
  input: string;
  valid: boolean;
  /** '+8613800138000' when valid, else null. */
  e164: string | null;
  /** null when invalid; 'unknown' when valid but libphonenumber gives no type. */
  type: PhoneType | null;
  /** ISO 3166-1 alpha-2 region of the number when valid (null for non-geographic +800 etc.). */
  country: string | null;
  /** null when valid, otherwise one of the `PHONE_REASONS`. */
  reason: PhoneReason | null;
}

/** The closed set of reasons; stable strings shown to users in import reports. */
export const PHONE_REASONS = [
  'missing',
  'invalid characters',
  'rounded by a spreadsheet',
  'too short',
  'too long',
  'invalid country code',
  'not a valid number',
] as const;
export type PhoneReason = (typeof PHONE_REASONS)[number];

/**
 * The longest text read as a number. The longest E.164 number is 16 characters; 64 leaves
 * room for separators, a `tel:` URI or full-width text, and keeps a hostile megabyte from
 * reaching the parser. Longer text is 'too long' wherever it comes from.
 */
export const PHONE_MAX_LENGTH = 64;

/** The one wording of a number that cannot be used, on every path (a 400's detail, an import
 * row's reason): 'phone: too short'. The field it names travels beside it. */
export function phoneProblem(result: Pick<PhoneResult, 'reason'>): string {
  return `phone: ${result.reason ?? 'not a valid number'}`;
}

const typeNames: Record<PhoneNumberType, PhoneType> = {
  MOBILE: 'mobile',
  FIXED_LINE: 'fixed_line',
  FIXED_LINE_OR_MOBILE: 'fixed_line_or_mobile',
  TOLL_FREE: 'toll_free',
  PREMIUM_RATE: 'premium_rate',
  SHARED_COST: 'shared_cost',
  VOIP: 'voip',
  PERSONAL_NUMBER: 'personal_number',
  PAGER: 'pager',
  UAN: 'uan',
  VOICEMAIL: 'voicemail',
};

const parseErrorReasons: Record<string, PhoneReason> = {
  INVALID_COUNTRY: 'invalid country code',
  TOO_SHORT: 'too short',
  NOT_A_NUMBER: 'too short', // after our screening only digits remain, so this means "< 2 digits"
  TOO_LONG: 'too long',
  INVALID_LENGTH: 'not a valid number', // length within range but not one the plan allows
};

// All patterns compiled once: the importer calls this 20k+ times a second.
const NON_ASCII = /[\u0080-\uffff]/;
const FORMAT_CHARS = /\p{Cf}/gu; // zero-width spaces, BOM, bidi marks, soft hyphens from copy-paste
const UNICODE_DIGIT = /[^\P{Nd}0-9]/gu; // Arabic-Indic, Persian, Devanagari... digits (NFKC leaves them)
const IS_DIGIT = /^\p{Nd}$/u;
const TEL_SCHEME = /^tel:(?:\/\/)?/i;
const PHONE_CONTEXT = /^phone-context=/i;
const SPREADSHEET_DECIMAL = /^(\+?\d{6,})\.0$/; // '13800138000.0' from a float-typed CSV column
// Separators: whitespace, any dash, U+2212 minus, Japanese 'ー', dots, brackets, slash (DE '030/1234').
// Range marks like '~' are deliberately not separators: '0755-8888 1234~6' is several numbers.
const SEP = String.raw`\s\p{Pd}\u2212\u30fc().\/\[\]`;
// One optional '+', preceded by nothing but separators (so '(+86) 138...' is fine, '86+138' is not).
const SHAPE = new RegExp(`^[${SEP}]*\\+?[${SEP}0-9]*$`, 'u');
const NON_DIGITS = /[^0-9]+/g;
const REGION = /^[A-Z]{2}$/;
// '1.38001E+10': Excel showed a long number in scientific notation and saved it that way,
// dropping digits. Nothing can recover it; the fix is a text-formatted column.
const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?e[+-]?\d+$/i;

const digitCache = new Map<string, string>();
/** Maps any Unicode decimal digit to ASCII: Nd digits come in contiguous runs of ten, 0..9. */
function toAsciiDigit(ch: string): string {
  let ascii = digitCache.get(ch);
  if (ascii === undefined) {
    const cp = ch.codePointAt(0) ?? 0;
    let start = cp;
    while (IS_DIGIT.test(String.fromCodePoint(start - 1))) start--;
    ascii = String((cp - start) % 10);
    digitCache.set(ch, ascii);
  }
  return ascii;
}

/** `tel:` URI → dialable text. Parameters are dropped (E.164 has no room for `ext`), except a
 * global `phone-context`, which RFC 3966 §5.1.5 says prefixes a local number. */
function fromTelUri(uri: string): string {
  const [number = '', ...params] = uri.split(';');
  if (number.trimStart().startsWith('+')) return number;
  const context = params
    .find((p) => PHONE_CONTEXT.test(p))
    ?.slice('phone-context='.length)
    .trim();
  return context?.startsWith('+') ? context + number : number; // a domain context says nothing
}

type Screened = { plus: boolean; digits: string } | PhoneReason;

function screen(raw: string, decimal: boolean): Screened {
  let s = raw;
  if (NON_ASCII.test(s)) {
    s = s.normalize('NFKC').replace(FORMAT_CHARS, '').replace(UNICODE_DIGIT, toAsciiDigit);
  }
  s = s.trim();
  if (s === '') return 'missing';
  if (TEL_SCHEME.test(s)) s = fromTelUri(s.replace(TEL_SCHEME, ''));
  else if (decimal) s = s.replace(SPREADSHEET_DECIMAL, '$1');
  if (!SHAPE.test(s)) return SCIENTIFIC.test(s) ? 'rounded by a spreadsheet' : 'invalid characters';
  const digits = s.replace(NON_DIGITS, '');
  const plus = s.includes('+');
  // Only separators ('-', '( )'): the spreadsheet way of writing "no phone".
  if (digits === '') return plus ? 'too short' : 'missing';
  return { plus, digits };
}

function inputText(input: unknown): { input: string; text: string | null } {
  if (input === null || input === undefined) return { input: '', text: '' };
  if (typeof input === 'string') return { input, text: input };
  if (typeof input === 'number') {
    // A spreadsheet cell: 13800138000 or 8613800138000. BigInt avoids '1e+21'-style output.
    const ok = Number.isInteger(input) && input >= 0;
    return { input: String(input), text: ok ? BigInt(input).toString() : null };
  }
  if (typeof input === 'bigint') return { input: String(input), text: input >= 0n ? input.toString() : null };
  let shown = '';
  try {
    shown = String(input);
  } catch {
    // e.g. Object.create(null): nothing printable, still 'invalid characters'
  }
  return { input: shown, text: null };
}

// libphonenumber-js builds `new RegExp(pattern)` on every getType()/isValid() call; with CN's
// multi-kilobyte patterns that is half the cost of a row. We compile each plan's patterns once
// and mirror its helpers/getNumberType.js; tests check we agree with getType()/isValid().
interface TypeRule {
  lengths: number[] | undefined;
  re: RegExp;
}
interface PlanRules {
  general: RegExp;
  lengths: number[] | undefined;
  typed: boolean;
  fixedOrMobile: boolean;
  fixed?: TypeRule;
  mobile?: TypeRule;
  others: [PhoneNumberType, TypeRule][];
}
interface PlanInternals {
  nationalNumberPattern(): string;
  possibleLengths(): number[] | undefined;
  type(name: string): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
}
const NON_FIXED_LINE_TYPES = ['MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'] as const;
const metadata = new Metadata();
const planRules = new Map<string, PlanRules | null>();

const anchored = (pattern: string) => new RegExp(`^(?:${pattern})$`);
function rulesFor(planKey: string): PlanRules | null {
  let rules = planRules.get(planKey);
  if (rules !== undefined) return rules;
  rules = null;
  try {
    metadata.selectNumberingPlan(planKey as CountryCode);
    const plan = metadata.numberingPlan as unknown as PlanInternals | undefined;
    const general = plan?.nationalNumberPattern();
    if (plan && general) {
      const rule = (name: string): TypeRule | undefined => {
        const type = plan.type(name);
        const pattern = type?.pattern();
        return pattern ? { lengths: type?.possibleLengths(), re: anchored(pattern) } : undefined;
      };
      const mobileType = plan.type('MOBILE');
      const fixed = rule('FIXED_LINE');
      const others = NON_FIXED_LINE_TYPES.flatMap((name) => {
        const r = rule(name);
        return r ? [[name, r] as [PhoneNumberType, TypeRule]] : [];
      });
      rules = {
        general: anchored(general),
        lengths: plan.possibleLengths(),
        typed: fixed !== undefined || mobileType !== undefined || others.length > 0,
        fixed,
        mobile: rule('MOBILE'),
        // An empty mobile pattern means "same as fixed line" (deduplicated metadata, e.g. US).
        fixedOrMobile: !mobileType || mobileType.pattern() === '',
        others,
      };
    }
  } catch {
    rules = null; // metadata internals changed: fall back to libphonenumber's own getType()
  }
  planRules.set(planKey, rules);
  return rules;
}

const matches = (rule: TypeRule | undefined, national: string) =>
  rule !== undefined && (!rule.lengths || rule.lengths.includes(national.length)) && rule.re.test(national);

function numberType(rules: PlanRules, national: string): PhoneNumberType | undefined {
  if (!rules.general.test(national)) return undefined;
  if (matches(rules.fixed, national)) {
    return rules.fixedOrMobile || matches(rules.mobile, national) ? 'FIXED_LINE_OR_MOBILE' : 'FIXED_LINE';
  }
  return rules.others.find(([, rule]) => matches(rule, national))?.[0];
}

/** helpers/checkNumberLength.js: an impossible length is a more useful reason than "not valid". */
function lengthReason(lengths: number[] | undefined, national: string): PhoneReason {
  if (lengths && lengths.length > 0) {
    if (national.length < (lengths[0] ?? 0)) return 'too short';
    if (national.length > (lengths[lengths.length - 1] ?? Infinity)) return 'too long';
  }
  return 'not a valid number';
}

type Attempt = { ok: true; number: PhoneNumber; type: PhoneNumberType | undefined } | { ok: false; number: PhoneNumber | null; reason: PhoneReason };

function attempt(text: string, region: CountryCode | undefined): Attempt {
  let number: PhoneNumber;
  try {
    number = parsePhoneNumberWithError(text, region);
  } catch (error) {
    if (error instanceof ParseError) {
      return { ok: false, number: null, reason: parseErrorReasons[error.message] ?? 'not a valid number' };
    }
    throw error;
  }
  const national = number.nationalNumber;
  const rules = rulesFor(number.country ?? number.countryCallingCode);
  if (!rules) {
    if (number.isValid()) return { ok: true, number, type: number.getType() };
    const length = validatePhoneNumberLength(text, region);
    return { ok: false, number, reason: (length && parseErrorReasons[length]) || 'not a valid number' };
  }
  // isValid.js: with type patterns "valid" means "has a type", else the general pattern decides.
  const type = numberType(rules, national);
  if (type !== undefined || (!rules.typed && rules.general.test(national))) return { ok: true, number, type };
  return { ok: false, number, reason: lengthReason(rules.lengths, national) };
}

/** Is this (invalid) national number shaped like one of the region's mobiles: a mobile length,
 * and a first digit that mobiles there start with (the example mobile with that first digit
 * is still valid)? Then it is a mistyped local number: re-reading it as '+digits' would turn
 * the CN placeholder '12345678901' into the US number +1 234-567-8901 and dial a stranger. */
function looksLikeLocalMobile(region: CountryCode, national: string): boolean {
  const rules = rulesFor(region);
  const example = mobileExamples[region];
  if (!rules || !example) return false;
  const lengths = (rules.mobile ?? rules.fixed)?.lengths ?? rules.lengths;
  if (lengths && !lengths.includes(national.length)) return false;
  const type = numberType(rules, national.charAt(0) + example.slice(1));
  return type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
}

/** Regions libphonenumber knows, as upper-case ISO 3166-1 alpha-2 ('CN', 'US', 'GB', ...). */
export function isRegionCode(value: string): boolean {
  return typeof value === 'string' && REGION.test(value) && isSupportedCountry(value);
}

function toRegion(value: string): CountryCode | undefined {
  if (isRegionCode(value)) return value as CountryCode;
  const upper = typeof value === 'string' ? value.trim().toUpperCase() : '';
  return isRegionCode(upper) ? (upper as CountryCode) : undefined;
}

function invalid(input: string, reason: PhoneReason): PhoneResult {
  return { input, valid: false, e164: null, type: null, country: null, reason };
}

const isRawPhone = (value: unknown): value is RawPhone => typeof value === 'object' && value !== null && !Array.isArray(value) && 'raw' in value;

/**
 * Any number as a source gives it → E.164, its type and region, or the reason it cannot be
 * used. The one normalisation: every path that takes a number in calls this with the
 * tenant's default region, so one input gives one answer (or one error text, `phoneProblem`)
 * wherever it arrives.
 *
 * `phone` is a `RawPhone`, or its bare text (a string, or a spreadsheet's number cell);
 * anything else is 'invalid characters'.
 * Which country a number is read in, first rule that applies:
 * 1. A number written internationally carries its own country code and nothing overrides
 *    it: a leading '+' (also '(+86)', full-width '＋', `tel:+…`, or a `tel:` URI whose
 *    `phone-context` is '+…'). '+1 650…' is a US number for a CN tenant.
 * 2. Otherwise the source's country, when it gives one libphonenumber knows (any case):
 *    a US store address reads '(415) 555-2671' as +1. A country it does not know says
 *    nothing and is ignored.
 * 3. Otherwise `tenantRegion` (the tenant's default region, or the one a request names for
 *    its numbers, as imports and `contacts/validate` allow): '13800138000' in a CN tenant is
 *    +86 138 0013 8000.
 * A national reading that is not a valid number is then retried as international, once:
 * '00…' as the IDD ('0044 20…'), and digits a spreadsheet stripped the '+' from
 * ('8613800138000', '14155552671' in a GB sheet) — unless they are shaped like a mistyped
 * local mobile of the region being read, which must not dial a stranger abroad.
 *
 * Text is cleaned first: NFKC (full-width digits, '＋'), other scripts' digits, invisible
 * format characters, separators (spaces, dashes, dots, brackets, '/'), a spreadsheet's
 * trailing '.0'. Letters, extensions ('x5', 'ext 5'), several numbers in one cell and
 * text over `PHONE_MAX_LENGTH` are refused with a reason, never guessed at.
 */
export function normalizePhone(phone: unknown, tenantRegion: string): PhoneResult {
  const source = isRawPhone(phone) ? phone : null;
  const given = inputText(source ? source.raw : phone);
  if (given.text === null) return invalid(given.input, 'invalid characters');
  if (given.text.length > PHONE_MAX_LENGTH && given.text.trim().length > PHONE_MAX_LENGTH) return invalid(given.input, 'too long');
  const sourceRegion = typeof source?.country === 'string' ? toRegion(source.country) : undefined;
  const defaultRegion = sourceRegion ?? tenantRegion;
  // '13800138000.0' is a float-typed CSV column, but '+690 729.0' is dotted digits: the trailing
  // '.0' is read as a separator first, and as a decimal only when that gives no valid number.
  if (SPREADSHEET_DECIMAL.test(given.text.trim())) {
    const dotted = normalizeScreened(given, screen(given.text, false), defaultRegion);
    if (dotted.valid) return dotted;
  }
  return normalizeScreened(given, screen(given.text, true), defaultRegion);
}

function normalizeScreened(given: { input: string }, screened: Screened, defaultRegion: string): PhoneResult {
  if (typeof screened === 'string') return invalid(given.input, screened);
  const { plus, digits } = screened;
  const region = toRegion(defaultRegion);

  let result: Attempt;
  if (plus) {
    result = attempt('+' + digits, undefined);
  } else {
    const national: Attempt = region ? attempt(digits, region) : { ok: false, number: null, reason: 'invalid country code' };
    result = national;
    if (!national.ok && digits.startsWith('00')) {
      // '00' is the IDD almost everywhere; regions with another IDD (US '011') miss it.
      result = attempt('+' + digits.slice(2), undefined);
    } else if (!national.ok && digits[0] !== '0') {
      // Spreadsheets drop the leading '+': '8613800138000', '14155552671' in a GB sheet.
      const local = region !== undefined && national.number !== null && looksLikeLocalMobile(region, national.number.nationalNumber);
      const international = local ? null : attempt('+' + digits, undefined);
      if (international?.ok) result = international;
    }
  }
  if (!result.ok) return invalid(given.input, result.reason);
  const { number, type } = result;
  return {
    input: given.input,
    valid: true,
    e164: number.number,
    type: type === undefined ? 'unknown' : typeNames[type],
    country: number.country ?? null,
    reason: null,
  };
}
