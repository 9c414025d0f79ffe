/**
 * Making the tags property able to take Chaseline's tags. HubSpot refuses a value of an
 * enumeration property that is not among its options (INVALID_OPTION), so with a
 * multiple-checkbox tags property every `chase:…` tag would die in the outbox. Before tags
 * are written, the property's definition is read (once per connector) and, when it is a
 * multiple-checkbox enumeration, the tags it lacks are added as options — one PATCH with the
 * whole list, as the properties API replaces options. A text property takes any tag and is
 * left alone; a property that cannot hold several tags is said so, and only the tags fail.
 * https://developers.hubspot.com/docs/api/crm/properties
 */
import type { Client } from '@hubspot/api-client';
import { hubspotAnswer, upstream } from './errors.ts';
import type { Limit } from './limits.ts';

interface TagOptionsDeps {
  client: Client;
  pace: (limit: Limit) => Promise<void>;
  /** The contact property holding the tags. */
  property: string;
}

export interface TagOptions {
  /** Makes sure these values can be written to the property: null when they can, else why not. */
  prepare(values: string[]): Promise<string | null>;
  /** Forgets the definition read (another writer changed the options since). */
  forget(): void;
}

type Option = { label: string; value: string; description?: string; displayOrder?: number; hidden: boolean };
/** What the property takes: any text, the options of a checkbox property, or nothing Chaseline can use (and why). */
type Definition = { kind: 'text' } | { kind: 'options'; options: Option[] } | { kind: 'unusable'; reason: string };

const OBJECT_TYPE = 'contacts';

export function tagOptions({ client, pace, property }: TagOptionsDeps): TagOptions {
  let known: Definition | null = null;

  async function read(): Promise<Definition> {
    await pace('api');
    try {
      const p = await client.crm.properties.coreApi.getByName(OBJECT_TYPE, property);
      if (p.type === 'enumeration' && p.fieldType === 'checkbox') return { kind: 'options', options: p.options };
      if (p.type === 'enumeration')
        return {
          kind: 'unusable',
          reason: `the HubSpot tags property ${property} is a single-choice (${p.fieldType}) property and cannot hold several tags: make it multiple checkboxes or single-line text`,
        };
      if (p.type === 'string') return { kind: 'text' };
      return { kind: 'unusable', reason: `the HubSpot tags property ${property} is a ${p.type} property: tags need multiple checkboxes or single-line text` };
    } catch (err) {
      const { status } = hubspotAnswer(err);
      if (status === 404)
        return {
          kind: 'unusable',
          reason: `HubSpot has no contact property ${property} to hold the tags: create it (multiple checkboxes, or single-line text)`,
        };
      // A token without the schema-read scope cannot see the definition: write as to a text property.
      if (status === 403) return { kind: 'text' };
      throw upstream(err, 'reading the tags property');
    }
  }

  async function addOptions(current: Option[], missing: string[]): Promise<string | null> {
    const last = Math.max(-1, ...current.map((o) => o.displayOrder ?? -1));
    const options: Option[] = [
      ...current.map((o) => ({
        label: o.label,
        value: o.value,
        hidden: o.hidden,
        ...(o.description ? { description: o.description } : {}),
        ...(o.displayOrder === undefined ? {} : { displayOrder: o.displayOrder }),
      })),
      ...missing.map((value, i) => ({ label: value, value, hidden: false, displayOrder: last + 1 + i })),
    ];
    await pace('api');
    try {
      const updated = await client.crm.properties.coreApi.update(OBJECT_TYPE, property, { options });
      known = { kind: 'options', options: updated.options };
      return null;
    } catch (err) {
      known = null;
      if (hubspotAnswer(err).status === 403) {
        return `the HubSpot access token may not add options to the tags property ${property} (scope crm.schemas.contacts.write): grant it, or add the options ${missing.join(', ')} by hand`;
      }
      throw upstream(err, 'adding tag options');
    }
  }

  return {
    async prepare(values) {
      known ??= await read();
      if (known.kind === 'unusable') return known.reason;
      if (known.kind === 'text') return null;
      const have = new Set(known.options.map((o) => o.value));
      const missing = [...new Set(values)].filter((v) => !have.has(v));
      return missing.length ? addOptions(known.options, missing) : null;
    },
    forget() {
      known = null;
    },
  };
}
