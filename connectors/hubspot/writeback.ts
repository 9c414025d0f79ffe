/**
 * Chaseline's outcomes written back to HubSpot in the fewest requests the batch sizes allow
 * (100 inputs each), every request paced: opt-outs and tags as contact properties — one batch
 * update per 100 contacts for both, after one batch read per 100 contacts for the tags
 * already there (and, for a multiple-checkbox tags property, the missing options added:
 * tags.ts) — then calls as calls engagements (type 194 to the contact) and texts as SMS
 * communications (type 81). A contact HubSpot does not have rejects only its own items; a
 * request failing whole throws, naming in details.partial what earlier requests wrote.
 * https://developers.hubspot.com/docs/api/crm/calls, https://developers.hubspot.com/docs/api/crm/communications
 */
import type { Client } from '@hubspot/api-client';
import { AppError } from '../../core/errors.ts';
import type { WriteBack, WriteBackResult } from '../../core/ports.ts';
import { hubspotAnswer, request, upstream } from './errors.ts';
import type { Limit } from './limits.ts';
import { CALL_TO_CONTACT, COMMUNICATION_TO_CONTACT, callProperties, mergeTags, optOutProperties, smsProperties } from './mapping.ts';
import { tagOptions } from './tags.ts';
import { ensureResultProperties, resultProperties } from './results.ts';
import { completeCallbacks } from './app/callbacks.ts';
import type { CallbackCompletion } from '../../core/ports.ts';

const BATCH = 100;

interface WriteBackDeps {
  client: Client;
  pace: (limit: Limit) => Promise<void>;
  props: { tagsProperty: string; doNotCallProperty: string; smsOptOutProperty?: string | undefined };
}

/** One engagement to create: the item it answers, its contact and properties. */
interface Engagement {
  index: number;
  contactId: string;
  properties: Record<string, string>;
}

/** The property changes of one contact: opt-outs (`indexes`) and tags (`tagIndexes`), the items they answer. */
interface ContactChange {
  properties: Record<string, string>;
  tags: string[];
  indexes: number[];
  tagIndexes: number[];
}

/** What a batch answer holds: created or read records, and per-input errors (207). */
interface BatchAnswer {
  results: { id: string; properties: Record<string, string | null> }[];
  errors?: { message?: string; context?: Record<string, string[] | undefined> }[];
}

type EngagementKind = 'calls' | 'communications';
const TYPE_TO_CONTACT: Record<EngagementKind, number> = { calls: CALL_TO_CONTACT, communications: COMMUNICATION_TO_CONTACT };

const chunks = <T>(all: T[], size = BATCH): T[][] => Array.from({ length: Math.ceil(all.length / size) }, (_, i) => all.slice(i * size, (i + 1) * size));
const missingContact = (id: string): WriteBackResult => ({ status: 'rejected', error: `HubSpot has no contact ${id} (deleted, merged or never there)` });

/** The record ids a batch error names (batch read/update: `ids`; an association: `toObjectId`). */
export function namedIds(errors: BatchAnswer['errors']): Set<string> {
  return new Set((errors ?? []).flatMap((e) => [...(e.context?.ids ?? []), ...(e.context?.toObjectId ?? [])]));
}

/** HubSpot may answer a time or a number in another format than it was sent (epoch ms, 42000.0). */
const AS_TIME = new Set(['hs_timestamp']);
const AS_NUMBER = new Set(['hs_call_duration']);
const sameValue = (key: string, sent: string, got: string | null | undefined) =>
  (got ?? '') === sent ||
  (got != null && AS_TIME.has(key) && Date.parse(sent) === (/^\d+$/.test(got) ? Number(got) : Date.parse(got))) ||
  (got != null && AS_NUMBER.has(key) && Number(sent) === Number(got));

/**
 * Which created record answers which input. HubSpot does not promise its results in input
 * order, so each input takes the first unclaimed result echoing its properties (times and
 * numbers compared as values); inputs left over (identical ones, or a value HubSpot
 * reformatted) take the unclaimed results in order.
 */
export function matchCreated(inputs: Record<string, string>[], results: BatchAnswer['results']): (string | undefined)[] {
  const claimed = new Set<number>();
  const ids = inputs.map((props) => {
    const at = results.findIndex((r, i) => !claimed.has(i) && Object.entries(props).every(([k, v]) => sameValue(k, v, r.properties[k])));
    if (at < 0) return undefined;
    claimed.add(at);
    return results[at]!.id;
  });
  const left = results.filter((_, i) => !claimed.has(i));
  return ids.map((id) => id ?? left.shift()?.id);
}

/** Whether HubSpot refused a batch for a value outside `property`'s options. */
function invalidOption(err: unknown, property: string): boolean {
  const { status, body } = hubspotAnswer(err);
  return status === 400 && /INVALID_OPTION/.test(body?.message ?? '') && (body?.message ?? '').includes(`"${property}"`);
}

export function hubspotWriteBack(deps: WriteBackDeps): (items: WriteBack[]) => Promise<WriteBackResult[]> {
  const { client, pace, props } = deps;
  const tagProperty = tagOptions({ client, pace, property: props.tagsProperty });

  const createApi = (kind: EngagementKind) => (inputs: object[]) =>
    (kind === 'calls'
      ? client.crm.objects.calls.batchApi.create({ inputs: inputs as never })
      : client.crm.objects.communications.batchApi.create({ inputs: inputs as never })) as Promise<BatchAnswer>;

  /** Creates engagements 100 a request; a batch refused for contacts it names is sent again without them. */
  async function createEngagements(kind: EngagementKind, all: Engagement[], results: WriteBackResult[]) {
    const what = kind === 'calls' ? 'logging calls' : 'logging texts';
    for (const chunk of chunks(all)) {
      let pending = chunk;
      while (pending.length) {
        await pace('api');
        let answer: BatchAnswer;
        try {
          answer = await createApi(kind)(
            pending.map((e) => ({
              properties: e.properties,
              associations: [{ to: { id: e.contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: TYPE_TO_CONTACT[kind] }] }],
            })),
          );
        } catch (err) {
          // All or nothing at HubSpot: an association to a contact it does not have fails the
          // whole batch (400) naming that contact. Those items are rejected, the rest sent again.
          const named = hubspotAnswer(err).status === 400 ? namedIds([hubspotAnswer(err).body ?? {}]) : new Set<string>();
          const gone = pending.filter((e) => named.has(e.contactId));
          if (!gone.length) throw upstream(err, what);
          for (const e of gone) results[e.index] = missingContact(e.contactId);
          pending = pending.filter((e) => !named.has(e.contactId));
          continue;
        }
        const named = namedIds(answer.errors);
        const ok = pending.filter((e) => !named.has(e.contactId));
        const ids = matchCreated(
          ok.map((e) => e.properties),
          answer.results,
        );
        for (const e of pending.filter((x) => named.has(x.contactId))) results[e.index] = missingContact(e.contactId);
        ok.forEach((e, n) => {
          const id = ids[n];
          results[e.index] = id
            ? { status: 'done', vendorId: id }
            : { status: 'rejected', error: `HubSpot did not create it: ${answer.errors?.map((x) => x.message).join('; ') || 'no result'}` };
        });
        pending = [];
      }
    }
  }

  /**
   * Contact property changes: tags read first (100 a request) and the tags property made to
   * take them, then one update per contact (100 a request).
   */
  async function updateContacts(changes: Map<string, ContactChange>, results: WriteBackResult[]) {
    const itemsOf = (c: ContactChange) => [...c.indexes, ...c.tagIndexes];
    const reject = (id: string) => {
      const c = changes.get(id);
      if (c) for (const i of itemsOf(c)) results[i] = missingContact(id);
      changes.delete(id);
    };
    const tagged = [...changes].filter(([, c]) => c.tags.length).map(([id]) => id);
    for (const ids of chunks(tagged)) {
      await pace('api');
      const answer = (await request('reading contact tags', () =>
        client.crm.contacts.batchApi.read({ inputs: ids.map((id) => ({ id })), properties: [props.tagsProperty], propertiesWithHistory: [] }),
      )) as BatchAnswer;
      const found = new Map(answer.results.map((r) => [r.id, r.properties[props.tagsProperty]]));
      for (const id of ids) {
        if (!found.has(id)) {
          reject(id);
          continue;
        }
        const merged = mergeTags(found.get(id), changes.get(id)!.tags);
        if (merged !== null) changes.get(id)!.properties[props.tagsProperty] = merged;
      }
    }
    await makeTagsWritable(changes, results);
    const updates = [...changes].filter(([, c]) => Object.keys(c.properties).length);
    // Nothing to change (the tags were all there already): done without a request.
    for (const [, c] of changes) if (!Object.keys(c.properties).length) for (const i of itemsOf(c)) results[i] = { status: 'done' };
    for (const chunk of chunks(updates)) {
      const send = async (): Promise<BatchAnswer> => {
        // Tags refused on the way leave some contacts nothing to change.
        const inputs = chunk.filter(([, c]) => Object.keys(c.properties).length).map(([id, c]) => ({ id, properties: c.properties }));
        if (!inputs.length) return { results: [] };
        await pace('api');
        return (await client.crm.contacts.batchApi.update({ inputs })) as BatchAnswer;
      };
      let answer: BatchAnswer;
      try {
        answer = await send();
      } catch (err) {
        // Another writer replaced the options since they were read (a PATCH sends the whole
        // list): read them again, add ours, and send once more.
        if (err instanceof AppError) throw err; // the pacer's own refusal (a limit spent)
        if (!invalidOption(err, props.tagsProperty)) throw upstream(err, 'updating contacts');
        tagProperty.forget();
        await makeTagsWritable(new Map(chunk), results);
        answer = await request('updating contacts', send);
      }
      const named = namedIds(answer.errors);
      for (const [id, c] of chunk) {
        if (named.has(id)) reject(id);
        else for (const i of itemsOf(c)) results[i] = { status: 'done', vendorId: id };
      }
    }
  }

  /**
   * Every tag value about to be written must be one the tags property takes. When it can take
   * none (no such property, or one that holds a single value), the tags are rejected with the
   * reason and the rest of each contact's change (an opt-out) still goes.
   */
  async function makeTagsWritable(changes: Map<string, ContactChange>, results: WriteBackResult[]) {
    const values = [...changes.values()].flatMap((c) => (c.properties[props.tagsProperty] ?? '').split(';').filter(Boolean));
    if (!values.length) return;
    const refusal = await tagProperty.prepare(values);
    if (!refusal) return;
    for (const c of changes.values()) {
      delete c.properties[props.tagsProperty];
      for (const i of c.tagIndexes) results[i] = { status: 'rejected', error: refusal };
      c.tagIndexes = [];
    }
  }

  let resultPropertiesReady = false;
  return async (items) => {
    const results: WriteBackResult[] = new Array(items.length);
    let hasResults = false;
    const calls: Engagement[] = [];
    const texts: Engagement[] = [];
    const completions: { index: number; completion: CallbackCompletion }[] = [];
    // One entry per contact: HubSpot refuses the same id twice in a batch update.
    const changes = new Map<string, ContactChange>();
    const change = (id: string) => changes.get(id) ?? changes.set(id, { properties: {}, tags: [], indexes: [], tagIndexes: [] }).get(id)!;
    items.forEach((item, index) => {
      switch (item.kind) {
        case 'call':
          calls.push({ index, contactId: item.call.externalContactId, properties: callProperties(item.call) });
          break;
        case 'sms':
          texts.push({ index, contactId: item.message.externalContactId, properties: smsProperties(item.message) });
          break;
        case 'opt-out': {
          const set = optOutProperties(item.channel, props);
          if (set) {
            const c = change(item.externalId);
            Object.assign(c.properties, set);
            c.indexes.push(index);
          } else {
            results[index] = { status: 'skipped' };
          }
          break;
        }
        case 'tags': {
          const c = change(item.externalId);
          c.tags.push(...item.add);
          c.tagIndexes.push(index);
          break;
        }
        case 'order-note':
          results[index] = { status: 'skipped' };
          break;
        case 'chase-result': {
          // Items come oldest first: a later result for the same contact overwrites an earlier one.
          const c = change(item.externalId);
          Object.assign(c.properties, resultProperties(item.result));
          c.indexes.push(index);
          hasResults = true;
          break;
        }
        case 'callback-complete':
          completions.push({ index, completion: item.completion });
          break;
      }
    });
    try {
      if (hasResults && !resultPropertiesReady) {
        await ensureResultProperties(client, pace);
        resultPropertiesReady = true;
      }
      // Property updates first: sent again they change nothing, where an engagement sent
      // again is a second one on the timeline.
      await updateContacts(changes, results);
      await createEngagements('calls', calls, results);
      await createEngagements('communications', texts, results);
      // Last: the chase's result is on the contact before the workflow that waits on it goes on.
      await completeCallbacks(client, pace, completions, results);
    } catch (err) {
      // Some requests went through before this one failed: say which items are already
      // written (details.partial, null for the rest), so a retry need not write them twice.
      if (err instanceof AppError && results.some((r) => r?.status === 'done')) {
        throw new AppError(err.code, err.message, {
          cause: err.cause ?? err,
          retryable: err.retryable,
          details: { ...err.details, partial: Array.from(results, (r) => r ?? null) },
        });
      }
      throw err;
    }
    return results;
  };
}
