// Lookup v2 (GET /v2/PhoneNumbers/{PhoneNumber}): validity and national format from
// libphonenumber's metadata, line type from the number's profile or its numbering plan.
// Invalid numbers are a 200 with valid=false, as Twilio answers them.
// https://www.twilio.com/docs/lookup/v2-api
import { parsePhoneNumberFromString, validatePhoneNumberLength, type CountryCode } from 'libphonenumber-js/max'; // max: the line-type metadata
import { badParam, type TwilioApiError } from './errors.ts';
import type { LineType } from './profiles.ts';

export const LOOKUP_FIELDS = [
  'validation',
  'caller_name',
  'sim_swap',
  'call_forwarding',
  'line_status',
  'line_type_intelligence',
  'identity_match',
  'reassigned_number',
  'sms_pumping_risk',
  'phone_number_quality_score',
  'pre_fill',
];

const PLAN_TYPES: Record<string, LineType> = {
  MOBILE: 'mobile',
  FIXED_LINE: 'landline',
  FIXED_LINE_OR_MOBILE: 'mobile',
  VOIP: 'nonFixedVoip',
  TOLL_FREE: 'tollFree',
};

export function lookupPhoneNumber(raw: string, query: URLSearchParams, lineTypeOf: (e164: string) => LineType | undefined): object | TwilioApiError {
  const fields = (query.get('Fields') ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const unknown = fields.find((f) => !LOOKUP_FIELDS.includes(f));
  if (unknown) return badParam(60200, `Invalid Fields value: ${unknown}`);
  const country = (query.get('CountryCode') ?? undefined) as CountryCode | undefined;
  const parsed = parsePhoneNumberFromString(raw, country);
  const valid = parsed?.isValid() ?? false;
  const empty = Object.fromEntries(
    [
      'caller_name',
      'sim_swap',
      'call_forwarding',
      'line_status',
      'line_type_intelligence',
      'identity_match',
      'reassigned_number',
      'sms_pumping_risk',
      'phone_number_quality_score',
      'pre_fill',
    ].map((k) => [k, null]),
  );
  const base: Record<string, unknown> = {
    calling_country_code: valid ? (parsed?.countryCallingCode ?? null) : null,
    country_code: valid ? (parsed?.country ?? null) : null,
    phone_number: valid && parsed ? parsed.number : raw,
    national_format: valid ? (parsed?.formatNational() ?? null) : null,
    valid,
    validation_errors: valid ? null : [validationError(raw, country)],
    ...empty,
    url: `https://lookups.twilio.com/v2/PhoneNumbers/${encodeURIComponent(raw)}`,
  };
  if (valid && parsed && fields.includes('line_type_intelligence')) {
    const type = lineTypeOf(parsed.number) ?? PLAN_TYPES[parsed.getType() ?? ''] ?? 'unknown';
    base.line_type_intelligence = { mobile_country_code: null, mobile_network_code: null, carrier_name: 'Chaseline Sim Carrier', type, error_code: null };
  }
  return base;
}

function validationError(raw: string, country: CountryCode | undefined): string {
  if (!/\d/.test(raw)) return 'NOT_A_NUMBER';
  const why = validatePhoneNumberLength(raw, country);
  if (why === 'TOO_SHORT' || why === 'TOO_LONG' || why === 'INVALID_COUNTRY' || why === 'INVALID_LENGTH') {
    return why === 'INVALID_COUNTRY' ? 'INVALID_COUNTRY_CODE' : why;
  }
  return 'INVALID_BUT_POSSIBLE';
}
