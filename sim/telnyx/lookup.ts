// Number Lookup (GET /v2/number_lookup/{phone_number}?type=carrier|caller-name): validity and
// national format from libphonenumber's metadata, the line type (`carrier.type`) from the
// number's profile or its numbering plan. A number that is not valid is Telnyx's 422.
// https://developers.telnyx.com/api/number-lookup/lookup-number
import { parsePhoneNumberFromString } from 'libphonenumber-js/max'; // max: the line-type metadata
import type { LineType } from '../twilio/profiles.ts';
import { LOOKUP_TYPES } from './contract.ts';
import { invalid, TelnyxApiError } from './errors.ts';

/** The profile's line type (sim/twilio's names) as Telnyx's `carrier.type` says it. */
const CARRIER_TYPES: Record<LineType, string> = {
  mobile: 'mobile',
  landline: 'fixed line',
  nonFixedVoip: 'voip',
  fixedVoip: 'voip',
  tollFree: 'toll free',
  unknown: 'unknown',
};
const PLAN_TYPES: Record<string, string> = {
  MOBILE: 'mobile',
  FIXED_LINE: 'fixed line',
  FIXED_LINE_OR_MOBILE: 'fixed line or mobile',
  VOIP: 'voip',
  TOLL_FREE: 'toll free',
  PREMIUM_RATE: 'premium rate',
  SHARED_COST: 'shared cost',
  PERSONAL_NUMBER: 'personal number',
  PAGER: 'pager',
  UAN: 'uan',
  VOICEMAIL: 'voicemail',
};

export function lookupNumber(raw: string, query: URLSearchParams, lineTypeOf: (e164: string) => LineType | undefined) {
  const type = query.get('type');
  if (type !== null && !(LOOKUP_TYPES as readonly string[]).includes(type)) throw invalid('type', `'type' must be one of ${LOOKUP_TYPES.join(', ')}.`);
  const parsed = parsePhoneNumberFromString(raw);
  if (!parsed?.isValid()) throw new TelnyxApiError(422, '10016', 'Invalid phone number', `${raw} is not a valid phone number.`, '/phone_number');
  const own = lineTypeOf(parsed.number);
  return {
    record_type: 'number_lookup',
    country_code: parsed.country ?? '',
    national_format: parsed.formatNational(),
    phone_number: parsed.number,
    fraud: null,
    ...(type === 'carrier'
      ? {
          carrier: {
            mobile_country_code: '',
            mobile_network_code: '',
            name: 'Chaseline Sim Carrier',
            normalized_carrier: 'Chaseline Sim Carrier',
            type: own ? CARRIER_TYPES[own] : (PLAN_TYPES[parsed.getType() ?? ''] ?? 'unknown'),
            error_code: null,
          },
          portability: {
            lrn: '',
            ported_status: 'N',
            ported_date: '',
            ocn: '',
            line_type: '',
            spid: '',
            spid_carrier_name: '',
            spid_carrier_type: '',
            altspid: '',
            altspid_carrier_name: '',
            altspid_carrier_type: '',
            city: '',
            state: '',
          },
        }
      : {}),
    ...(type === 'caller-name' ? { caller_name: { caller_name: 'CHASELINE SIM', error_code: '' } } : {}),
  };
}
