/**
 * Chase results as HubSpot contact properties, in a `chaseline` property group: last outcome,
 * last chase time, attempts and last campaign, which RevOps filters and reports on with
 * HubSpot's own report builder. The connector creates the group and the properties it lacks
 * when it is set up (PUT /v1/connectors/hubspot) and again, once per connector, before the
 * first results are written (a portal set up before this existed, or a property deleted since).
 * https://developers.hubspot.com/docs/api/crm/properties
 */
import { Client } from '@hubspot/api-client';
import type { ChaseResult } from '../../core/ports.ts';
import { hubspotAnswer, upstream } from './errors.ts';
import type { Limit } from './limits.ts';

export const RESULT_GROUP = { name: 'chaseline', label: 'Chaseline', displayOrder: -1 };

export const RESULT_PROPERTIES = [
  {
    name: 'chaseline_last_outcome',
    label: 'Chaseline last outcome',
    type: 'string',
    fieldType: 'text',
    description: 'How the last chase ended: interested, refused, unreached, sms-sent, opted-out…',
  },
  { name: 'chaseline_last_chase_at', label: 'Chaseline last chase', type: 'datetime', fieldType: 'date', description: 'When the last chase ended' },
  {
    name: 'chaseline_attempts',
    label: 'Chaseline attempts',
    type: 'number',
    fieldType: 'number',
    description: 'Calls and texts Chaseline placed to this contact, all chases together',
  },
  { name: 'chaseline_last_campaign', label: 'Chaseline last campaign', type: 'string', fieldType: 'text', description: 'The campaign of the last chase' },
] as const;

/** The contact property values of a result. */
export const resultProperties = (r: ChaseResult): Record<string, string> => ({
  chaseline_last_outcome: r.outcome,
  chaseline_last_chase_at: r.endedAt,
  chaseline_attempts: String(r.attempts),
  chaseline_last_campaign: r.campaign,
});

/** Creates the group and whichever result properties the portal lacks; HubSpot's 409 (made meanwhile) is fine. */
export async function ensureResultProperties(client: Client, pace: (limit: Limit) => Promise<void> = async () => {}): Promise<void> {
  await pace('api');
  let have: Set<string>;
  try {
    have = new Set((await client.crm.properties.coreApi.getAll('contacts')).results.map((p) => p.name));
  } catch (err) {
    throw upstream(err, 'reading the contact properties');
  }
  const missing = RESULT_PROPERTIES.filter((p) => !have.has(p.name));
  if (!missing.length) return;
  const tolerate409 = (what: string) => (err: unknown) => {
    if (hubspotAnswer(err).status !== 409) throw upstream(err, what);
  };
  await pace('api');
  await client.crm.properties.groupsApi.create('contacts', RESULT_GROUP).catch(tolerate409('creating the chaseline property group'));
  for (const p of missing) {
    await pace('api');
    await client.crm.properties.coreApi
      .create('contacts', { ...p, groupName: RESULT_GROUP.name } as never)
      .catch(tolerate409(`creating the property ${p.name}`));
  }
}
