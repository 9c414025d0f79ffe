/**
 * The dialog graph of a call, as pure functions: which node speaks first, and where an
 * answer (an intent, or silence) leads. The dialog session (dialog.session.ts) walks it one
 * answer at a time; the state travels with each listening turn (node and re-prompt count)
 * and comes back, signed by the carrier, with the answer, so no session is kept.
 */
import type { Intent } from '../intents/intents.ts';
import { readReply, type Reply } from '../intents/confirm.ts';
import { builtInNodes, CONFIRM_OPT_OUT } from './defaults.ts';
import type { AnswerKind, CallSettings, DialogAction, DialogNodeInput } from './schema.ts';

export interface DialogNode {
  id: string;
  say: string;
  listen: boolean;
  on: Partial<Record<AnswerKind, string>>;
  do?: DialogAction;
}

export interface ScriptDialogInput {
  say: string;
  locale: string;
  dialog?: Record<string, DialogNodeInput>;
}

export type Dialog = Map<string, DialogNode>;

/** Where an intent leads when the node does not say. */
const BUILT_IN_ROUTES: Partial<Record<Intent, string>> = {
  price_question: 'price',
  interested: 'send_link',
  reconsider: 'reconsider',
  callback_later: 'callback',
  not_interested: 'not_interested',
  opt_out: 'opt_out',
  complaint: 'complaint',
  human: 'transfer',
  wrong_number: 'wrong_number',
};

export function buildDialog(script: ScriptDialogInput): Dialog {
  const nodes: Record<string, { say: string; listen?: boolean; on?: DialogNode['on']; do?: DialogAction }> = {
    start: { say: script.say },
    ...builtInNodes(script.locale),
    ...script.dialog,
  };
  const dialog: Dialog = new Map();
  for (const [id, n] of Object.entries(nodes)) {
    // A person who asked to be left alone is never kept talking: the opt_out node always records it and hangs up.
    if (id === 'opt_out' || id === 'complaint') {
      dialog.set(id, { id, say: n.say, listen: false, on: {}, do: id });
      continue;
    }
    // The question "do you want us to stop?" always listens, and its answers are always read the same way.
    if (id === CONFIRM_OPT_OUT) {
      dialog.set(id, { id, say: n.say, listen: true, on: {} });
      continue;
    }
    const action = n.do;
    dialog.set(id, { id, say: n.say, listen: n.listen ?? !action, on: n.on ?? {}, ...(action ? { do: action } : {}) });
  }
  return dialog;
}

/** What was heard: an intent (with, to a yes/no question, the yes or no in it), or silence. */
export type Answer = { intent: Intent; reply?: Reply | null } | { noInput: true };

export interface Turn {
  node: DialogNode;
  /** The node is the same one said again after silence or an answer not understood. */
  reprompt: number;
}

/**
 * The next node after an answer to `from`. Opt-out always wins; an answer that may be one
 * is asked about (confirm_opt_out) unless the script takes it as one. Silence and answers
 * not understood re-prompt the same node a bounded number of times, then say goodbye — or,
 * in the confirmation, take the opt-out: a request to stop is never dropped for want of an answer.
 */
export function nextTurn(dialog: Dialog, call: Pick<CallSettings, 'maxReprompts' | 'transferTo'>, from: DialogNode, answer: Answer, reprompt: number): Turn {
  const go = (id: string): Turn => ({ node: dialog.get(id) ?? dialog.get('goodbye')!, reprompt: 0 });
  // Asking for a person with nobody to transfer to: a person calls back instead.
  const route = (id: string): Turn => (dialog.get(id)?.do === 'transfer' && !call.transferTo ? go('no_agent') : go(id));
  const confirming = from.id === CONFIRM_OPT_OUT;
  const again = (): Turn => (reprompt < call.maxReprompts ? { node: from, reprompt: reprompt + 1 } : go(confirming ? 'opt_out' : 'goodbye'));
  if ('noInput' in answer) return from.on.no_input ? go(from.on.no_input) : again();
  const { intent } = answer;
  if (intent === 'opt_out') return go('opt_out');
  // A complaint is an opt-out that also apologises and is counted against the script.
  if (intent === 'complaint') return go('complaint');
  if (confirming) return confirmed(answer, route, again);
  if (intent === 'maybe_opt_out') return go(from.on.maybe_opt_out === 'opt_out' ? 'opt_out' : CONFIRM_OPT_OUT);
  const target = from.on[intent] ?? BUILT_IN_ROUTES[intent];
  return target ? route(target) : again();
}

/** Requests an answer to the confirmation may make instead of yes or no: they are followed. */
const FOLLOWED: Partial<Record<Intent, string>> = { price_question: 'price', human: 'transfer', callback_later: 'callback', wrong_number: 'wrong_number' };

/**
 * The answer to "would you like us to stop calling and texting you?". Yes — or anything that
 * sounds like yes (interested, "not interested", the same maybe again) — stops; a no ends the
 * call as a refusal unless it asks for something (the price, a person, the link).
 */
function confirmed(answer: { intent: Intent; reply?: Reply | null }, route: (id: string) => Turn, again: () => Turn): Turn {
  const { intent, reply } = answer;
  if (reply === 'yes' || intent === 'maybe_opt_out') return route('opt_out');
  if (reply === 'no') {
    // A bare "不是" / "唔係" reads as "not me" to the intents: after a no it is only a no.
    const asked = intent === 'interested' ? 'send_link' : intent === 'wrong_number' ? undefined : FOLLOWED[intent];
    return route(asked ?? 'not_interested');
  }
  if (intent === 'interested' || intent === 'reconsider' || intent === 'not_interested') return route('opt_out');
  const target = FOLLOWED[intent];
  return target ? route(target) : again();
}

/** The yes or no in an answer to the confirmation (none elsewhere): keys 1 and 2, or the words. */
export function replyTo(node: DialogNode, speech: string | undefined, digits: string | undefined): Reply | null {
  if (node.id !== CONFIRM_OPT_OUT) return null;
  if (digits) return digits[0] === '1' ? 'yes' : digits[0] === '2' ? 'no' : null;
  return speech ? readReply(speech) : null;
}

/** Problems in a script's dialog, with the path of each, for the campaign's 400. */
export function dialogProblems(script: ScriptDialogInput, call: Pick<CallSettings, 'transferTo'>): { path: (string | number)[]; message: string }[] {
  if (!script.dialog) return [];
  const dialog = buildDialog(script);
  const problems: { path: (string | number)[]; message: string }[] = [];
  for (const [id, node] of Object.entries(script.dialog)) {
    if (id === CONFIRM_OPT_OUT && (node.on || node.do || node.listen === false)) {
      problems.push({ path: ['dialog', id], message: 'confirm_opt_out always asks whether the person wants us to stop, and listens: only its say can change' });
    }
    for (const [answer, target] of Object.entries(node.on ?? {})) {
      if (!dialog.has(target)) problems.push({ path: ['dialog', id, 'on', answer], message: `no node "${target}" in this dialog` });
      if (answer === 'opt_out' && target !== 'opt_out') {
        problems.push({ path: ['dialog', id, 'on', answer], message: 'an opt-out always goes to the opt_out node, which records it and hangs up' });
      }
      if (answer === 'complaint' && target !== 'complaint') {
        problems.push({
          path: ['dialog', id, 'on', answer],
          message: 'a complaint always goes to the complaint node, which apologises, records the opt-out and the complaint, and hangs up',
        });
      }
      if (answer === 'maybe_opt_out' && target !== CONFIRM_OPT_OUT && target !== 'opt_out') {
        problems.push({
          path: ['dialog', id, 'on', answer],
          message: 'an answer that may be an opt-out goes to confirm_opt_out, or to opt_out to take it as one',
        });
      }
    }
    if (node.do === 'transfer' && !call.transferTo) problems.push({ path: ['dialog', id, 'do'], message: 'transfer needs call.transferTo on the campaign' });
  }
  return problems;
}

/** DTMF for callers who press keys instead of speaking. */
export const DIGIT_INTENTS: Record<string, Intent> = { '1': 'interested', '2': 'not_interested', '0': 'human', '9': 'opt_out' };
