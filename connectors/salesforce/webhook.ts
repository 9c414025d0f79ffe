/**
 * What Salesforce sends to start chases, parsed into a delivery of CRM records:
 *
 * - a workflow or Flow's Outbound Message (SOAP): each notification's Contact or Lead (Id, Phone,
 *   MobilePhone, FirstName, LastName, as the message's fields were chosen), by the notification's
 *   Id (a notification sent again repeats it); the answer is the Ack Salesforce waits for.
 *   https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_understanding.htm
 * - a Flow's HTTP callout (JSON): `{ organizationId, requestId?, records: [{ Id, Phone?,
 *   MobilePhone?, FirstName?, LastName? }] }`, each record by the request's id and its place.
 *
 * Pure (but for the id given to a Flow callout that brings none: nothing recognises its retry); a
 * body that is neither throws (a ZodError, or an AppError saying what is missing).
 */
import { randomUUID } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import type { InboundRecord } from '../../core/crm/inbound.ts';

const SfRecord = z
  .object({
    Id: z.string().regex(/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/, 'must be a Salesforce record id'),
    Phone: z.coerce.string().nullish(),
    MobilePhone: z.coerce.string().nullish(),
    FirstName: z.coerce.string().nullish(),
    LastName: z.coerce.string().nullish(),
  })
  .loose();

const FlowBody = z.object({
  organizationId: z.string(),
  requestId: z.string().min(1).max(200).optional(),
  records: z.array(SfRecord).min(1).max(200),
});

const recordOf = (r: z.infer<typeof SfRecord>): InboundRecord => ({
  externalId: r.Id,
  phone: [r.MobilePhone, r.Phone].find((p) => p && p.trim())?.trim() ?? null,
  name: [r.FirstName, r.LastName].filter((x) => x && x.trim()).join(' ') || null,
});

const xml = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'Notification' });

/** One delivery: the org it says it is from, and its notifications (an id and a record each). */
export interface SalesforceDelivery {
  orgId: string;
  notifications: { id: string; record: InboundRecord }[];
  soap: boolean;
}

export function parseSalesforceDelivery(body: string, contentType: string): SalesforceDelivery {
  if (/json/i.test(contentType)) {
    const flow = FlowBody.parse(JSON.parse(body));
    const id = flow.requestId ?? randomUUID(); // no id: nothing to recognise a retry by
    return { orgId: flow.organizationId, soap: false, notifications: flow.records.map((r, i) => ({ id: `${id}:${i}`, record: recordOf(r) })) };
  }
  const doc = xml.parse(body) as { Envelope?: { Body?: { notifications?: { OrganizationId?: string; Notification?: { Id?: string; sObject?: unknown }[] } } } };
  const n = doc.Envelope?.Body?.notifications;
  if (!n?.OrganizationId || !n.Notification?.length) throw new AppError('VALIDATION', 'not an Outbound Message: no OrganizationId or Notification');
  return {
    orgId: n.OrganizationId,
    soap: true,
    notifications: n.Notification.map((x, i) => {
      if (!x.Id) throw new AppError('VALIDATION', `Notification ${i + 1} has no Id`);
      return { id: x.Id, record: recordOf(SfRecord.parse(x.sObject)) };
    }),
  };
}

/** The answer to an Outbound Message: Salesforce retries until it gets it. */
export const ACK =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>' +
  '<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>';
