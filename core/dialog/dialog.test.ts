// The dialog graph on its own: where each answer leads, re-prompts, the confirmation of a
// possible opt-out, the built-in nodes of each language, and the rules a script's graph must keep.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildDialog, dialogProblems, nextTurn, replyTo } from './dialog.ts';
import { CampaignInputSchema } from '../campaigns/rules.ts';

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
    complaint: ['complaint', 'complaint'],
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

test('a complaint always apologises and hangs up, from any node, even when a script rewords or reroutes it', () => {
  const custom = buildDialog({
    ...script,
    dialog: {
      start: { say: 'Hi!', on: { complaint: 'start' } },
      complaint: { say: 'So sorry. Bye.', do: 'hangup', listen: true },
    },
  });
  for (const from of ['start', 'price', 'confirm_opt_out']) {
    const node = nextTurn(custom, call, custom.get(from)!, { intent: 'complaint' }, 0).node;
    assert.deepEqual([node.id, node.do, node.listen, node.say], ['complaint', 'complaint', false, 'So sorry. Bye.'], from);
  }
  assert.deepEqual(
    dialogProblems({ ...script, dialog: { start: { say: 'Hi', on: { complaint: 'start' } } } }, {}).map((p) => p.path.join('.')),
    ['dialog.start.on.complaint'],
  );
  assert.match(buildDialog({ say: '您好', locale: 'zh-CN' }).get('complaint')!.say, /抱歉/);
  assert.match(buildDialog({ say: '你好', locale: 'zh-HK' }).get('complaint')!.say, /抱歉打擾咗你/);
});

test('Chinese scripts get Chinese built-in nodes', () => {
  const zh = buildDialog({ say: '您好，您的购物车还在等您。', locale: 'zh-CN' });
  assert.match(zh.get('opt_out')!.say, /不会再/);
  assert.match(zh.get('price')!.say, /价格/);
});

test('a graph that routes to a missing node, diverts an opt-out or transfers with no target is refused, naming the place', () => {
  const problems = dialogProblems(
    { ...script, dialog: { start: { say: 'Hi', on: { interested: 'nowhere', opt_out: 'start' } }, t: { say: 'x', do: 'transfer' } } },
    {},
  );
  assert.deepEqual(
    problems.map((p) => p.path.join('.')),
    ['dialog.start.on.interested', 'dialog.start.on.opt_out', 'dialog.t.do'],
  );
  const parsed = CampaignInputSchema.safeParse({
    name: 'x',
    channel: { policy: 'voice' },
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

describe('an answer that may be a request to stop is confirmed', () => {
  const confirm = dialog.get('confirm_opt_out')!;
  const turn = (answer: Parameters<typeof nextTurn>[3], reprompt = 0, c: typeof call = call) => nextTurn(dialog, c, confirm, answer, reprompt);

  test('maybe_opt_out from any node asks, and the question always listens', () => {
    for (const from of ['start', 'price']) assert.equal(nextTurn(dialog, call, dialog.get(from)!, { intent: 'maybe_opt_out' }, 0).node.id, 'confirm_opt_out');
    assert.equal(confirm.listen, true);
    assert.equal(confirm.do, undefined);
  });

  test('yes (or anything affirmative, or the same doubt again) stops; no refuses, or follows what it asks for', () => {
    const cases: [Parameters<typeof nextTurn>[3], string][] = [
      [{ intent: 'interested', reply: 'yes' }, 'opt_out'],
      [{ intent: 'interested' }, 'opt_out'],
      [{ intent: 'not_interested' }, 'opt_out'],
      [{ intent: 'maybe_opt_out' }, 'opt_out'],
      [{ intent: 'opt_out' }, 'opt_out'],
      [{ intent: 'not_interested', reply: 'no' }, 'not_interested'],
      [{ intent: 'wrong_number', reply: 'no' }, 'not_interested'],
      [{ intent: 'wrong_number' }, 'wrong_number'],
      [{ intent: 'interested', reply: 'no' }, 'send_link'],
      [{ intent: 'price_question' }, 'price'],
      [{ intent: 'human' }, 'transfer'],
      [{ intent: 'callback_later' }, 'callback'],
    ];
    for (const [answer, node] of cases) assert.equal(turn(answer).node.id, node, JSON.stringify(answer));
  });

  test('silence and answers not understood are asked again, then taken as a yes', () => {
    assert.deepEqual([turn({ noInput: true }).node.id, turn({ noInput: true }).reprompt], ['confirm_opt_out', 1]);
    assert.equal(turn({ intent: 'unknown' }, 1).node.id, 'confirm_opt_out');
    assert.equal(turn({ noInput: true }, 2).node.id, 'opt_out');
    assert.equal(turn({ intent: 'unknown' }, 0, { ...call, maxReprompts: 0 }).node.id, 'opt_out');
  });

  test('the yes or no is read from the words in each language, and from keys 1 and 2', () => {
    const cases: [string, 'yes' | 'no' | null][] = [
      ['yes', 'yes'],
      ['yeah please', 'yes'],
      ['sure', 'yes'],
      ['no', 'no'],
      ['nope keep them coming', 'no'],
      ['what', null],
      ['是的', 'yes'],
      ['对', 'yes'],
      ['好', 'yes'],
      ['不是', 'no'],
      ['不用', 'no'],
      ['不要', null],
      ['係', 'yes'],
      ['係呀', 'yes'],
      ['冇錯', 'yes'],
      ['唔係', 'no'],
      ['唔使', 'no'],
      ['唔好停', 'no'],
    ];
    for (const [text, reply] of cases) assert.equal(replyTo(confirm, text, undefined), reply, text);
    assert.equal(replyTo(confirm, undefined, '1'), 'yes');
    assert.equal(replyTo(confirm, undefined, '2'), 'no');
    assert.equal(replyTo(start, 'yes', undefined), null, 'only the confirmation reads yes and no');
  });

  test('a script may word the question, or take a maybe as an opt-out, but not route it elsewhere', () => {
    const custom = buildDialog({
      ...script,
      dialog: {
        confirm_opt_out: { say: 'Stop all calls?', do: 'hangup', listen: false, on: { interested: 'send_link' } },
        start: { say: 'Hi', on: { maybe_opt_out: 'opt_out' } },
      },
    });
    const asked = custom.get('confirm_opt_out')!;
    assert.deepEqual([asked.say, asked.listen, asked.do, asked.on], ['Stop all calls?', true, undefined, {}]);
    assert.equal(nextTurn(custom, call, custom.get('start')!, { intent: 'maybe_opt_out' }, 0).node.id, 'opt_out');
    const problems = dialogProblems(
      { ...script, dialog: { confirm_opt_out: { say: 'x', on: { interested: 'send_link' } }, start: { say: 'Hi', on: { maybe_opt_out: 'price' } } } },
      {},
    );
    assert.deepEqual(
      problems.map((p) => p.path.join('.')),
      ['dialog.confirm_opt_out', 'dialog.start.on.maybe_opt_out'],
    );
  });
});

describe('languages', () => {
  test('zh-HK, yue-HK, yue and zh-Hant-HK scripts get Cantonese built-in nodes; zh-CN, zh-TW and cmn-Hans-HK Mandarin ones', () => {
    for (const locale of ['zh-HK', 'yue-HK', 'yue', 'zh-Hant-HK', 'yue-Hant-HK', 'zh-MO']) {
      const yue = buildDialog({ say: '你好', locale });
      assert.match(yue.get('opt_out')!.say, /我哋以後唔會再打電話/, locale);
      assert.match(yue.get('confirm_opt_out')!.say, /你係咪唔想我哋以後再打/, locale);
      assert.match(yue.get('price')!.say, /價錢係/, locale);
    }
    for (const locale of ['zh-CN', 'zh-TW', 'cmn-Hans-HK', 'cmn-Hant-TW']) {
      assert.match(buildDialog({ say: '你好', locale }).get('confirm_opt_out')!.say, /您是希望我们以后不再给您打电话/, locale);
    }
    assert.match(buildDialog(script).get('confirm_opt_out')!.say, /stop calling and texting you/);
  });
});
