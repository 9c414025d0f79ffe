/**
 * The dialog graph of a call, as pure functions: which node speaks first, and where an
 * answer (an intent, or silence) leads. The TwiML webhooks walk it one answer at a time;
 * the state travels in the Gather's action URL (node and re-prompt count), which Twilio
 * signs, so no session is kept.
 */
import type { Intent } from './intents/intents.ts';
import { builtInNodes } from './dialog.defaults.ts';
import type { AnswerKind, CallSettings, DialogAction, DialogNodeInput } from './dialog.schema.ts';

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
    const action = id === 'opt_out' ? 'opt_out' : n.do;
    dialog.set(id, { id, say: n.say, listen: id === 'opt_out' ? false : (n.listen ?? !action), on: n.on ?? {}, ...(action ? { do: action } : {}) });
  }
  return dialog;
}

export type Answer = { intent: Intent } | { noInput: true };

export interface Turn {
  node: DialogNode;
  /** The node is the same one said again after silence or an answer not understood. */
  reprompt: number;
}

/**
 * The next node after an answer to `from`. Opt-out always wins; silence and answers not
 * understood re-prompt the same node a bounded number of times, then say goodbye.
 */
export function nextTurn(dialog: Dialog, call: Pick<CallSettings, 'maxReprompts' | 'transferTo'>, from: DialogNode, answer: Answer, reprompt: number): Turn {
  const go = (id: string): Turn => ({ node: dialog.get(id) ?? dialog.get('goodbye')!, reprompt: 0 });
  const again = (): Turn => (reprompt < call.maxReprompts ? { node: from, reprompt: reprompt + 1 } : go('goodbye'));
  if ('noInput' in answer) return from.on.no_input ? go(from.on.no_input) : again();
  const { intent } = answer;
  // An answer that may be a request to stop is taken as one.
  if (intent === 'opt_out' || intent === 'maybe_opt_out') return go('opt_out');
  const target = from.on[intent] ?? BUILT_IN_ROUTES[intent];
  if (!target) return again();
  // Asking for a person with nobody to transfer to: a person calls back instead.
  if (dialog.get(target)?.do === 'transfer' && !call.transferTo) return go('no_agent');
  return go(target);
}

/** Problems in a script's dialog, with the path of each, for the campaign's 400. */
export function dialogProblems(script: ScriptDialogInput, call: Pick<CallSettings, 'transferTo'>): { path: (string | number)[]; message: string }[] {
  if (!script.dialog) return [];
  const dialog = buildDialog(script);
  const problems: { path: (string | number)[]; message: string }[] = [];
  for (const [id, node] of Object.entries(script.dialog)) {
    for (const [answer, target] of Object.entries(node.on ?? {})) {
      if (!dialog.has(target)) problems.push({ path: ['dialog', id, 'on', answer], message: `no node "${target}" in this dialog` });
      if ((answer === 'opt_out' || answer === 'maybe_opt_out') && target !== 'opt_out') {
        problems.push({ path: ['dialog', id, 'on', answer], message: 'an opt-out always goes to the opt_out node, which records it and hangs up' });
      }
    }
    if (node.do === 'transfer' && !call.transferTo) problems.push({ path: ['dialog', id, 'do'], message: 'transfer needs call.transferTo on the campaign' });
  }
  return problems;
}

/** DTMF for callers who press keys instead of speaking. */
export const DIGIT_INTENTS: Record<string, Intent> = { '1': 'interested', '2': 'not_interested', '0': 'human', '9': 'opt_out' };
