/**
 * A complaint heard on a call, end to end in English, Mandarin and Cantonese: the simulator's
 * callee says "I'll report you" / "再打我就投诉" / "你哋再打嚟我就投訴", the call apologises in the
 * script's language and hangs up, the number is opted out of every channel, the attempt's intent
 * is `complaint`, and the chase draws a complaint heard on the call (counted against its script).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startChase, type ChaseDetail } from '../../core/chases/chases.ts';
import { optOutState } from '../../core/consent/consent.ts';
import { campaign, contact, engineAppPerFile, mobile, waitForChase } from './support.ts';
import { eventually } from '../support/data.ts';

const app = engineAppPerFile();
const deps = () => app.worker;

const heardText = (phone: string) =>
  app.sim
    .calls()
    .filter((c) => c.to === phone)
    .flatMap((c) => c.heard)
    .map((h) => `${h.verb}: ${h.text ?? ''}`)
    .join('\n');
const intentsOf = (c: ChaseDetail) => c.timeline.filter((e) => e.type === 'intent').map((e) => [e.detail?.intent, e.detail?.next]);
const complaintOf = async (chaseId: string) =>
  (await deps().db.query<{ source: string }>(`select source from chase_complaints where tenant_id = $1 and chase_id = $2`, [app.tenantId, chaseId])).rows[0]
    ?.source;

const SCRIPTS = {
  en: { name: 'en', locale: 'en-US', say: 'Hello {{name}}, your cart is waiting.', sms: 'Your cart: {{context.link}}' },
  zh: { name: 'zh', locale: 'zh-CN', say: '{{name}}您好，您的购物车还有商品，需要我把链接发给您吗？', sms: '您的购物车：{{context.link}}' },
  yue: { name: 'yue', locale: 'zh-HK', say: '{{name}}你好，你個購物車仲有貨品，使唔使我send條連結畀你？', sms: '你嘅購物車：{{context.link}}' },
};

async function complainOnCall(n: number, script: (typeof SCRIPTS)[keyof typeof SCRIPTS], said: string) {
  const phone = mobile(n);
  app.sim.setPersona(phone, { script: [said] });
  const c = await campaign(deps(), app.tenantId, { scripts: [script], channel: { policy: 'voice' } });
  const started = await startChase(deps(), app.tenantId, {
    campaignId: c.id,
    contact: { id: await contact(deps(), app.tenantId, phone, { name: 'Lee' }) },
    context: { link: 'https://shop.example/r/1' },
  });
  const done = await waitForChase(deps(), app.tenantId, started.id);
  return { phone, done };
}

describe('a complaint on a call', () => {
  for (const [n, language, said, apology] of [
    [401, 'en', "I'll report you to the FTC if you call again", /We're sorry we bothered you/],
    [402, 'zh', '再打我就投诉', /非常抱歉打扰您了/],
    [403, 'yue', '你哋再打嚟我就投訴', /非常抱歉打擾咗你/],
  ] as const) {
    test(`"${said}" (${language}): an apology, an opt-out of every channel, and a complaint heard on the call`, { timeout: 60_000 }, async () => {
      const { phone, done } = await complainOnCall(n, SCRIPTS[language], said);
      assert.equal(done.status, 'opted-out');
      assert.deepEqual(intentsOf(done), [['complaint', 'complaint']]);
      const attempt = (
        await deps().db.query<{ intent: string; outcome: string }>(`select intent, outcome from attempts where tenant_id = $1 and chase_id = $2`, [
          app.tenantId,
          done.id,
        ])
      ).rows;
      assert.deepEqual(attempt, [{ intent: 'complaint', outcome: 'opted-out' }]);
      // The chase ends inside the answer's request, a moment before the callee hears the reply to it.
      await eventually(
        () => apology.test(heardText(phone)),
        () => `the apology, in: ${heardText(phone)}`,
        10_000,
      );
      assert.deepEqual(await optOutState(deps().db, app.tenantId, deps().pii.phoneIndex(phone)), { voice: true, sms: true });
      assert.equal(await complaintOf(done.id), 'intent', 'recorded as heard on the call, not as a later opt-out');
    });
  }
});
