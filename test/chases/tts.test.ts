/**
 * Synthesised prompts: with Google Text-to-Speech configured (its simulator, through the
 * official client), the worker synthesises what a call may say before dialling, and the
 * call plays it from /media; identical prompts are synthesised once; a TTS outage does not
 * cost the call, which then speaks with <Say>.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { startChase } from '../../core/chases/chases.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';
import { startGoogleTtsSim, type GoogleTtsSim } from '../../sim/google-tts/index.ts';
import { createGoogleTtsConnector, type GoogleTtsConnector } from '../../connectors/google-tts/index.ts';
import { campaign, contact, mobile, waitForChase } from './support.ts';

let app: TestApp & { sim: TwilioSim; worker: WorkerDeps };
let tts: GoogleTtsSim;
let speech: GoogleTtsConnector;

before(async () => {
  tts = await startGoogleTtsSim();
  speech = createGoogleTtsConnector({ apiBaseUrl: tts.url, accessToken: tts.accessToken });
  app = await testEngineApp({ sim: { clockSpeed: 50, callsPerSecond: 100 }, speech });
});
after(async () => {
  await app.close();
  await speech.close();
  await tts.close();
});

const heardOf = (phone: string) =>
  app.sim
    .calls()
    .filter((c) => c.to === phone)
    .flatMap((c) => c.heard);

test('a call plays audio synthesised before it was placed, in the voice and rate of its script', async () => {
  const phone = mobile(201);
  app.sim.setPersona(phone, { script: ['how much is it', 'ok sure'] });
  const deps = app.worker;
  const c = await campaign(deps, app.tenantId, {
    scripts: [{ name: 'lively', say: 'Hi {{name}}! Your cart is waiting.', sms: 'Cart: {{context.link}}', voice: { style: 'lively', speakingRate: 1.15 } }],
  });
  const done = await waitForChase(
    deps,
    app.tenantId,
    (
      await startChase(deps, app.tenantId, {
        campaignId: c.id,
        contact: { id: await contact(deps, app.tenantId, phone, { name: 'Mia' }) },
        context: { price: '$49', link: 'https://shop.example/c/1' },
      })
    ).id,
  );
  assert.equal(done.outcome, 'interested');
  const plays = heardOf(phone).filter((h) => h.verb === 'Play');
  assert.ok(plays.length >= 3, JSON.stringify(heardOf(phone)));
  for (const p of plays) {
    assert.match(p.text ?? '', /\/media\/[0-9a-f]{64}$/);
    assert.equal(p.media?.status, 200);
    assert.equal(p.media?.contentType, 'audio/mpeg');
    assert.ok(!p.error, p.error);
  }
  assert.equal(heardOf(phone).filter((h) => h.verb === 'Say').length, 0, 'nothing falls back to <Say>');
  const synthesised = tts.requests().filter((r) => r.status === 200);
  const opening = synthesised.find((r) => JSON.stringify(r.body).includes('Hi Mia! Your cart is waiting.'));
  assert.ok(opening, 'the opening, with the name, was synthesised');
  assert.deepEqual((opening.body as { audioConfig: { speakingRate: number } }).audioConfig.speakingRate, 1.15);
  // Every prompt of the dialog (the price answer, the goodbye…) was synthesised before dialling.
  const { rows } = await deps.db.query<{ tts: boolean }>(`select tts from attempts where id = $1`, [done.attempts[0]!.id]);
  assert.equal(rows[0]!.tts, true);
  assert.ok(synthesised.some((r) => JSON.stringify(r.body).includes('The price is $49')));
});

test('prompts that do not name the person are synthesised once for everyone', async () => {
  const deps = app.worker;
  const c = await campaign(deps, app.tenantId, {
    name: 'shared',
    scripts: [{ name: 's', say: 'Your cart is waiting.', sms: 'Cart' }],
    channel: { policy: 'voice' },
  });
  const before = tts.requests().length;
  for (const n of [202, 203]) {
    app.sim.setPersona(mobile(n), { script: ['no thanks'] });
    await waitForChase(
      deps,
      app.tenantId,
      (await startChase(deps, app.tenantId, { campaignId: c.id, contact: { id: await contact(deps, app.tenantId, mobile(n)) } })).id,
    );
  }
  const firstCall = tts.requests().length - before;
  assert.ok(firstCall > 0);
  app.sim.setPersona(mobile(204), { script: ['no thanks'] });
  const again = tts.requests().length;
  await waitForChase(
    deps,
    app.tenantId,
    (await startChase(deps, app.tenantId, { campaignId: c.id, contact: { id: await contact(deps, app.tenantId, mobile(204)) } })).id,
  );
  assert.equal(tts.requests().length, again, 'a third identical call synthesises nothing new');
});

test('when text-to-speech is down the call still goes out, speaking with <Say>', async () => {
  const deps = app.worker;
  const phone = mobile(205);
  app.sim.setPersona(phone, { script: ['not interested'] });
  tts.failNext(503, 100);
  const c = await campaign(deps, app.tenantId, {
    name: 'down',
    scripts: [{ name: 'd', say: 'A brand new opening line.', sms: 'x' }],
    channel: { policy: 'voice' },
  });
  const done = await waitForChase(
    deps,
    app.tenantId,
    (await startChase(deps, app.tenantId, { campaignId: c.id, contact: { id: await contact(deps, app.tenantId, phone) } })).id,
  );
  assert.equal(done.outcome, 'not-interested');
  const says = heardOf(phone).filter((h) => h.verb === 'Say');
  assert.ok(
    says.some((h) => h.text?.includes('A brand new opening line.')),
    JSON.stringify(heardOf(phone)),
  );
  assert.match(says[0]!.attrs.voice ?? '', /^Google\.en-US/);
});
