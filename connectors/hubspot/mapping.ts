/**
 * HubSpot records as Chaseline's, and Chaseline's calls, texts, opt-outs and tags as HubSpot
 * calls engagements, communications and contact properties: pure functions.
 * https://developers.hubspot.com/docs/api/crm/calls, https://developers.hubspot.com/docs/api/crm/communications
 */
import type { CallActivity, CrmContact, MessageActivity } from '../../core/ports.ts';
import type { RawPhone } from '../../core/phone/phone.ts';

export interface HubspotObject {
  id: string;
  properties: Record<string, string | null | undefined>;
  updatedAt?: Date | string;
}

/**
 * A HubSpot contact's number as written: the mobile first, else the phone, with the record's
 * country when it is an ISO code (core's normalizePhone reads it). The sync, the workflow
 * action and the card all take the number this way.
 */
export function phoneFromHubspot(p: Record<string, string | null | undefined>): RawPhone | null {
  const phone = [p.mobilephone, p.phone].find((x) => x && x.trim());
  return phone ? { raw: phone.trim(), country: p.country && /^[A-Z]{2}$/.test(p.country) ? p.country : null } : null;
}

export function contactFromHubspot(o: HubspotObject, props: { tagsProperty: string; doNotCallProperty: string }): CrmContact {
  const p = o.properties;
  const name = [p.firstname, p.lastname].filter((x) => x && x.trim()).join(' ') || null;
  const updated =
    p.lastmodifieddate ?? p.hs_lastmodifieddate ?? (o.updatedAt instanceof Date ? o.updatedAt.toISOString() : o.updatedAt) ?? new Date(0).toISOString();
  return {
    externalId: o.id,
    phone: phoneFromHubspot(p),
    name,
    tags: (p[props.tagsProperty] ?? '')
      .split(';')
      .map((t) => t.trim())
      .filter(Boolean),
    doNotCall: p[props.doNotCallProperty] === 'true',
    updatedAt: new Date(updated).toISOString(),
  };
}

/** HubSpot's default call outcomes (hs_call_disposition GUIDs, GET /calling/v1/dispositions). */
export const DISPOSITIONS = {
  busy: '9d9162e7-6cf3-4944-bf63-4dff82258764',
  connected: 'f240bbac-87c9-4f6e-bf70-924b57d47db7',
  leftLiveMessage: 'a4c4c377-d246-4b32-a13b-75a56a4cd0ff',
  leftVoicemail: 'b2cf5968-551e-4856-9783-52b3da59a7d0',
  noAnswer: '73a0d17f-1163-4015-bdd5-ec830791da20',
  wrongNumber: '17b47fee-58de-441e-a44c-c6300d46f273',
} as const;

const OUTCOME: Record<CallActivity['outcome'], { status: string; disposition: string }> = {
  answered: { status: 'COMPLETED', disposition: DISPOSITIONS.connected },
  machine: { status: 'COMPLETED', disposition: DISPOSITIONS.leftVoicemail },
  'wrong-number': { status: 'COMPLETED', disposition: DISPOSITIONS.wrongNumber },
  'no-answer': { status: 'NO_ANSWER', disposition: DISPOSITIONS.noAnswer },
  busy: { status: 'BUSY', disposition: DISPOSITIONS.busy },
  failed: { status: 'FAILED', disposition: DISPOSITIONS.noAnswer },
};

/** The properties of a calls engagement for one of our calls (duration in milliseconds, as HubSpot wants). */
export function callProperties(c: CallActivity): Record<string, string> {
  const o = OUTCOME[c.outcome];
  return {
    hs_timestamp: c.at.toISOString(),
    hs_call_title: c.title,
    hs_call_body: c.body,
    hs_call_direction: 'OUTBOUND',
    hs_call_status: o.status,
    hs_call_disposition: o.disposition,
    hs_call_duration: String(Math.round((c.durationSeconds ?? 0) * 1000)),
    hs_call_from_number: c.from,
    hs_call_to_number: c.to,
    ...(c.recordingUrl ? { hs_call_recording_url: c.recordingUrl } : {}),
  };
}

/** HUBSPOT_DEFINED association type "call to contact". */
export const CALL_TO_CONTACT = 194;

/** The properties of a communications object logging one SMS Chaseline sent (HubSpot wants logged_from CRM). */
export function smsProperties(m: MessageActivity): Record<string, string> {
  return {
    hs_communication_channel_type: 'SMS',
    hs_communication_logged_from: 'CRM',
    hs_communication_body: m.body,
    hs_timestamp: m.at.toISOString(),
  };
}

/** HUBSPOT_DEFINED association type "communication to contact". */
export const COMMUNICATION_TO_CONTACT = 81;

/**
 * The contact properties recording an opt-out on `channel`: do-not-call for voice, the SMS
 * opt-out property for texts when the portal has one; null when nothing can record it.
 */
export function optOutProperties(
  channel: 'voice' | 'sms' | 'all',
  props: { doNotCallProperty: string; smsOptOutProperty?: string | undefined },
): Record<string, string> | null {
  const out: Record<string, string> = {};
  if (channel !== 'sms') out[props.doNotCallProperty] = 'true';
  if (channel !== 'voice' && props.smsOptOutProperty) out[props.smsOptOutProperty] = 'true';
  return Object.keys(out).length ? out : null;
}

/** A ';'-separated tags value with `add` joined in (existing order kept); null when nothing new. */
export function mergeTags(current: string | null | undefined, add: string[]): string | null {
  const tags = (current ?? '')
    .split(';')
    .map((t) => t.trim())
    .filter(Boolean);
  // A tag holding ';' would read back as two: it is written as two.
  const fresh = add
    .flatMap((t) => t.split(';'))
    .map((t) => t.trim())
    .filter((t) => t && !tags.includes(t));
  return fresh.length ? [...tags, ...new Set(fresh)].join(';') : null;
}
