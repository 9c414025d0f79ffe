// The dialog graph on its own: where each answer leads, re-prompts, and the rules a script's graph must keep.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildDialog, dialogProblems, nextTurn } from './dialog.ts';
import { CampaignInputSchema } from './campaigns.rules.ts';

const script = { say: 'Hello {{name}}, your cart is waiting. Shall I text you the link?', locale: 'en-US' };
const call = { maxReprompts: 2, transferTo: '+14155550199' };
const dialog = buildDialog(script);
const start = dialog.get('start')!;

test('each intent leads to its built-in node, and the node does what it says', () => {
  const cases = {
    price_question: ['price', undefined],
    interested: ['send_link', 'send_link'],
    reconsider: ['reconsider', 'send_link'],
    callback_later: ['callback', 'callback'],
    not_interested: ['not_interested', 'refuse'],
    opt_out: ['opt_out', 'opt_out'],
    human: ['transfer', 'transfer'],
    wrong_number: ['wrong_number', 'wrong_number'],
  } as const;
  for (const [intent, [node, action]] of Object.entries(cases)) {
    const turn = nextTurn(dialog, call, start, { intent: intent as keyof typeof cases }, 0);
    assert.equal(turn.node.id, node, intent);
    assert.equal(turn.node.do, action, intent);
  }
  assert.equal(dialog.get('price')!.listen, true, 'after the price the call listens again');
  assert.equal(dialog.get('opt_out')!.listen, false, 'an opt-out hangs up');
});

test('silence and answers not understood re-prompt a bounded number of times, then say goodbye', () => {
  let turn = nextTurn(dialog, call, start, { noInput: true }, 0);
  assert.deepEqual([turn.node.id, turn.reprompt], ['start', 1]);
  turn = nextTurn(dialog, call, start, { intent: 'unknown' }, turn.reprompt);
  assert.deepEqual([turn.node.id, turn.reprompt], ['start', 2]);
  turn = nextTurn(dialog, call, start, { noInput: true }, turn.reprompt);
  assert.equal(turn.node.id, 'goodbye');
  assert.equal(nextTurn(dialog, { ...call, maxReprompts: 0 }, start, { noInput: true }, 0).node.id, 'goodbye');
});

test('asking for a person with no transfer target promises a call back instead', () => {
  const turn = nextTurn(dialog, { maxReprompts: 2 }, start, { intent: 'human' }, 0);
  assert.equal(turn.node.id, 'no_agent');
  assert.equal(turn.node.do, 'callback');
});

test("a script's own nodes route answers, but an opt-out always ends in the opt_out node", () => {
  const custom = buildDialog({
    ...script,
    dialog: {
      start: { say: 'Hi! Interested in a trial class?', on: { interested: 'trial', price_question: 'trial' } },
      trial: { say: 'The trial class is free. Want the link?', on: { interested: 'send_link' } },
      opt_out: { say: 'Removed. Bye.', do: 'hangup', listen: true },
    },
  });
  const s = custom.get('start')!;
  assert.equal(nextTurn(custom, call, s, { intent: 'price_question' }, 0).node.id, 'trial');
  assert.equal(nextTurn(custom, call, s, { intent: 'not_interested' }, 0).node.id, 'not_interested', 'unrouted intents use the built-in routes');
  const optOut = nextTurn(custom, call, custom.get('trial')!, { intent: 'opt_out' }, 0).node;
  assert.deepEqual([optOut.id, optOut.do, optOut.listen, optOut.say], ['opt_out', 'opt_out', false, 'Removed. Bye.']);
});

test('Chinese scripts get Chinese built-in nodes', () => {
  const zh = buildDialog({ say: '您好，您的购物车还在等您。', locale: 'zh-CN' });
  assert.match(zh.get('opt_out')!.say, /不会再/);
  assert.match(zh.get('price')!.say, /价格/);
});

test('a graph that routes to a missing node, diverts an opt-out or transfers with no target is refused, naming the place', () => {
  const problems = dialogProblems({ ...script, dialog: { start: { say: 'Hi', on: { interested: 'nowhere', opt_out: 'start' } }, t: { say: 'x', do: 'transfer' } } }, {});
  assert.deepEqual(problems.map((p) => p.path.join('.')), ['dialog.start.on.interested', 'dialog.start.on.opt_out', 'dialog.t.do']);
  const parsed = CampaignInputSchema.safeParse({
    name: 'x', channel: { policy: 'voice' },
    scripts: [{ name: 'a', say: 'Hi', dialog: { start: { say: 'Hi', on: { interested: 'nowhere' } } } }],
  });
  assert.equal(parsed.success, false);
  assert.deepEqual(parsed.error?.issues[0]?.path, ['scripts', 0, 'dialog', 'start', 'on', 'interested']);
});

test('speaking rates outside 0.9–1.2 and unknown transfer targets are refused', () => {
  const base = { name: 'x', channel: { policy: 'voice' }, scripts: [{ name: 'a', say: 'Hi' }] };
  const rate = CampaignInputSchema.safeParse({ ...base, scripts: [{ name: 'a', say: 'Hi', voice: { speakingRate: 1.5 } }] });
  assert.deepEqual(rate.error?.issues[0]?.path, ['scripts', 0, 'voice', 'speakingRate']);
  const target = CampaignInputSchema.safeParse({ ...base, call: { transferTo: 'agent@pbx' } });
  assert.deepEqual(target.error?.issues[0]?.path, ['call', 'transferTo']);
  for (const ok of ['+14155550199', 'sip:agent@pbx.example.com', 'queue:support']) {
    assert.ok(CampaignInputSchema.safeParse({ ...base, call: { transferTo: ok } }).success, ok);
  }
});
