/**
 * Salesforce Contacts and Leads as Chaseline's contacts, and Chaseline's calls and texts as
 * Salesforce Tasks: pure functions. Records come from REST (JSON: booleans, nulls, datetimes
 * as 2026-03-02T09:00:05.000+0000) or from Bulk API 2.0 (CSV: every value a string, null
 * empty, datetimes in Z form); both read the same here.
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm
 */
import type { CallActivity, ChaseResult, CrmContact, MessageActivity } from '../../core/ports.ts';
import { ACTIVITY_FIELDS, CHASE_ENDED_FIELDS, PERSON_FIELDS } from './package.ts';

export type SfRow = Record<string, unknown>;

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

/** A Salesforce datetime as ISO (…Z), whichever form it came in. */
export function isoStamp(v: unknown): string {
  const s = typeof v === 'string' ? v.replace(/([+-]\d\d)(\d\d)$/, '$1:$2') : '';
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new Error(`not a Salesforce datetime: ${String(v)}`);
  return new Date(ms).toISOString();
}

export function contactFromSalesforce(r: SfRow): CrmContact {
  const phone = text(r.MobilePhone) ?? text(r.Phone);
  const name = [text(r.FirstName), text(r.LastName)].filter(Boolean).join(' ');
  return {
    externalId: String(r.Id),
    phone: phone ? { raw: phone, country: null } : null,
    name: name || null,
    tags: [],
    doNotCall: r.DoNotCall === true || r.DoNotCall === 'true',
    updatedAt: isoStamp(r.SystemModstamp),
  };
}

/** CallDisposition is free text: the words a rep would pick. */
export const DISPOSITIONS: Record<CallActivity['outcome'], string> = {
  answered: 'Connected',
  machine: 'Left voicemail',
  'no-answer': 'No answer',
  busy: 'Busy',
  failed: 'Failed',
  'wrong-number': 'Wrong number',
};

/** Task.Subject holds 255 characters, Task.Description 32,000. */
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const SUBJECT = 255;
const DESCRIPTION = 32_000;
const day = (at: Date) => at.toISOString().slice(0, 10);

/** A completed Task on the Contact or Lead (WhoId), dated the day of the activity. */
const completedTask = (whoId: string, at: Date, fields: SfRow): SfRow => ({
  attributes: { type: 'Task' },
  WhoId: whoId,
  ...fields,
  Status: 'Completed',
  ActivityDate: day(at),
});

/** The package's Activity fields of a call (text fields hold 80 characters, the chase id 36). */
function activityFields(c: CallActivity): SfRow {
  return {
    [ACTIVITY_FIELDS.outcome]: clip(c.result ?? c.outcome, 80),
    [ACTIVITY_FIELDS.intent]: c.intent ? clip(c.intent, 80) : null,
    [ACTIVITY_FIELDS.duration]: c.durationSeconds === null ? null : Math.round(c.durationSeconds),
    [ACTIVITY_FIELDS.chaseId]: c.chaseId ?? null,
  };
}

/** A completed outbound call Task, as Salesforce's own dialers log them; with the package, its Chaseline fields too. */
export function callTask(c: CallActivity, withPackage = false): SfRow {
  return completedTask(c.externalContactId, c.at, {
    ...(withPackage ? activityFields(c) : {}),
    TaskSubtype: 'Call',
    CallType: 'Outbound',
    CallDisposition: DISPOSITIONS[c.outcome],
    ...(c.durationSeconds === null ? {} : { CallDurationInSeconds: Math.round(c.durationSeconds) }),
    ...(c.callSid ? { CallObject: c.callSid } : {}),
    Subject: clip(c.title, SUBJECT),
    Description: clip(c.recordingUrl ? `${c.body}\n\nRecording: ${c.recordingUrl}` : c.body, DESCRIPTION),
  });
}

/** A completed Task for a text we sent (Salesforce has no standard SMS activity). */
export function smsTask(m: MessageActivity): SfRow {
  return completedTask(m.externalContactId, m.at, { TaskSubtype: 'Task', Subject: 'SMS sent', Description: clip(m.body, DESCRIPTION) });
}

/** The package's Contact or Lead fields for where the contact's chasing stands. */
export function resultFields(r: ChaseResult): SfRow {
  return {
    [PERSON_FIELDS.outcome]: clip(r.outcome, 80),
    [PERSON_FIELDS.endedAt]: new Date(r.endedAt).toISOString(),
    [PERSON_FIELDS.attempts]: r.attempts,
    [PERSON_FIELDS.campaign]: clip(r.campaign, 255),
  };
}

/** The Chaseline_Chase_Ended__e message for a chase that ended on this record. */
export function chaseEndedEvent(recordId: string, r: ChaseResult): SfRow {
  return {
    [CHASE_ENDED_FIELDS.recordId]: recordId,
    [CHASE_ENDED_FIELDS.chaseId]: r.chaseId ?? null,
    [CHASE_ENDED_FIELDS.outcome]: clip(r.outcome, 80),
    [CHASE_ENDED_FIELDS.attempts]: r.attempts,
    [CHASE_ENDED_FIELDS.campaign]: clip(r.campaign, 255),
  };
}

/** The object a record id belongs to, by its key prefix: 003 Contact, 00Q Lead. */
export function personType(id: string): 'Contact' | 'Lead' | null {
  if (!/^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$/.test(id)) return null;
  return id.startsWith('003') ? 'Contact' : id.startsWith('00Q') ? 'Lead' : null;
}

/** A per-record save error as a dead-letter line: its code, fields and message, with anything phone-like masked. */
export function saveError(errors: unknown): string {
  const first = (Array.isArray(errors) ? errors[0] : undefined) as
    { statusCode?: unknown; errorCode?: unknown; message?: unknown; fields?: unknown } | undefined;
  const code = String(first?.statusCode ?? first?.errorCode ?? 'UNKNOWN_ERROR');
  const fields = Array.isArray(first?.fields) && first.fields.length ? ` (${first.fields.join(', ')})` : '';
  const message = typeof first?.message === 'string' ? `: ${first.message.replace(/(?<![0-9A-Za-z])\+?\d[\d ().-]{5,}\d(?![0-9A-Za-z])/g, '…')}` : '';
  return clip(`${code}${fields}${message}`, 300);
}
