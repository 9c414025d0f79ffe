/** Shared set-up for chase engine tests: contacts, campaigns and waiting for chases to settle. */
import { upsertContact } from '../../core/contacts/contacts.ts';
import { createCampaign, type Campaign } from '../../core/campaigns/campaigns.ts';
import { getChase, type ChaseDetail } from '../../core/chases/chases.ts';
import type { Deps } from '../../core/deps.ts';
import { after, before } from 'node:test';
import { ALL_DAY, eventually } from '../support/data.ts';
import { testEngineApp } from '../support/app.ts';

/** A CN mobile number per index: +86 138 0000 nnnn. */
export const mobile = (i: number) => `+86138${String(i).padStart(8, '0')}`;

export async function contact(deps: Deps, tenantId: string, phone: string, extra: { name?: string; tags?: string[] } = {}): Promise<string> {
  return (await upsertContact(deps, tenantId, { phone, ...extra }, 'api')).contact.id;
}

export async function campaign(deps: Deps, tenantId: string, overrides: Record<string, unknown> = {}): Promise<Campaign> {
  const { rules, ...rest } = overrides as { rules?: Record<string, unknown> };
  return createCampaign(deps, tenantId, {
    name: 'test',
    channel: { policy: 'voice-then-sms', smsAfterMinutes: 0 },
    rules: { window: ALL_DAY, ...rules },
    scripts: [{ name: 'default', say: 'Hello {{name}}, your cart is waiting.', sms: 'Your cart: {{context.link}}' }],
    lines: [{ from: '+14155550100', minPriority: 0 }],
    ...rest,
  });
}

const TERMINAL = new Set(['completed', 'canceled', 'opted-out', 'expired', 'failed']);

/** Polls until the chase satisfies `done` (default: ended), or fails after `timeoutMs`. */
export async function waitForChase(
  deps: Deps,
  tenantId: string,
  id: string,
  done: (c: ChaseDetail) => boolean = (c) => TERMINAL.has(c.status),
  timeoutMs = 15_000,
): Promise<ChaseDetail> {
  let last: ChaseDetail | undefined;
  return eventually(
    async () => {
      last = await getChase(deps, tenantId, id);
      return done(last) && last;
    },
    () => `chase ${id} to settle; still ${last?.status}: ${last?.timeline.map((e) => e.type).join(', ')}`,
    timeoutMs,
  );
}

/** The engine app on the carrier simulator for one test file: started before its tests, closed after them. */
export function engineAppPerFile(
  options: Parameters<typeof testEngineApp>[0] = { sim: { clockSpeed: 50, callsPerSecond: 100 } },
): Awaited<ReturnType<typeof testEngineApp>> {
  const app = {} as Awaited<ReturnType<typeof testEngineApp>>;
  before(async () => void Object.assign(app, await testEngineApp(options)));
  after(() => app.close());
  return app;
}
