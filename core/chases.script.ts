/** What a call says, filled in for its contact and context at the moment the carrier asks. */
import { getCampaign } from './campaigns.ts';
import { renderText } from './campaigns.rules.ts';
import { decodeContext } from './chases.store.ts';
import type { Deps } from './deps.ts';

export async function callScript(deps: Deps, attemptId: string): Promise<{ say: string } | null> {
  const { rows } = await deps.db.query<{ tenant_id: string; campaign_id: string; script: string | null; context_enc: string | null; name_enc: string | null }>(
    `select ch.tenant_id, ch.campaign_id, ch.script, ch.context_enc, c.name_enc
       from attempts a join chases ch on ch.tenant_id = a.tenant_id and ch.id = a.chase_id
       left join contacts c on c.tenant_id = ch.tenant_id and c.id = ch.contact_id
      where a.id = $1`,
    [attemptId],
  );
  const r = rows[0];
  if (!r) return null;
  const campaign = await getCampaign(deps.db, r.tenant_id, r.campaign_id);
  const script = campaign.scripts.find((s) => s.name === r.script) ?? campaign.scripts.find((s) => !s.when)!;
  return { say: renderText(script.say, { name: r.name_enc ? deps.pii.decrypt(r.name_enc) : null, context: decodeContext(deps, r.context_enc) }) };
}

/** Records an SMS delivery report on its attempt; a report never moves back from delivered or undelivered. */
export async function applySmsReport(deps: Deps, attemptId: string, status: string): Promise<void> {
  await deps.db.query(
    `update attempts set status = $2 where id = $1 and channel = 'sms' and status not in ('delivered', 'undelivered')`,
    [attemptId, status],
  );
}
