/**
 * Create or edit a campaign. The form covers what an operator sets most (name, goal, trigger,
 * channel, the main rules, a daily calling window, scripts); what it does not show (script
 * conditions and dialogs, lines, call settings, a window that differs by weekday unless it is
 * changed here) is kept as it is on edit. Every problem the API names by `field` is shown beside
 * the input it belongs to; any other is listed above the form.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { asApiError, trpc, type ApiError, type Campaign, type CampaignCreate } from '../api.ts';
import { FormProblem, useFieldErrors } from '../components/FieldErrors.tsx';
import { everyDay, firstSpan } from '../window.ts';

interface ScriptDraft {
  name: string;
  say: string;
  sms: string;
  locale: string;
  voicemail: string;
}

interface Draft {
  name: string;
  goal: '' | 'interested' | 'link-clicked' | 'order';
  trigger: 'manual' | 'abandoned-checkout' | 'segment-entry';
  triggerDelay: string;
  policy: 'voice-then-sms' | 'voice' | 'sms';
  smsAfterMinutes: string;
  delayMinutes: string;
  maxCallAttempts: string;
  retryAfterMinutes: string;
  expireAfterHours: string;
  priority: string;
  customWindow: boolean;
  windowStart: string;
  windowEnd: string;
  scripts: ScriptDraft[];
}

const newScript = (n: number): ScriptDraft => ({ name: n ? `script-${n + 1}` : 'main', say: '', sms: '', locale: 'en-US', voicemail: '' });

const blank: Draft = {
  name: '',
  goal: '',
  trigger: 'manual',
  triggerDelay: '120',
  policy: 'voice-then-sms',
  smsAfterMinutes: '30',
  delayMinutes: '0',
  maxCallAttempts: '1',
  retryAfterMinutes: '120',
  expireAfterHours: '72',
  priority: '0',
  customWindow: false,
  windowStart: '09:00',
  windowEnd: '20:00',
  scripts: [newScript(0)],
};

function draftOf(c: Campaign): Draft {
  const rules = { ...c.rules };
  const trigger = c.trigger ?? { type: 'manual' as const };
  const span = rules.window ? firstSpan(rules.window) : undefined;
  return {
    name: c.name,
    goal: c.goal,
    trigger: trigger.type,
    triggerDelay: String(trigger.type === 'abandoned-checkout' ? (trigger.delayMinutes ?? 120) : 120),
    policy: c.channel.policy,
    smsAfterMinutes: String(c.channel.policy === 'voice-then-sms' ? (c.channel.smsAfterMinutes ?? 30) : 30),
    delayMinutes: String(rules.delayMinutes ?? 0),
    maxCallAttempts: String(rules.maxCallAttempts ?? 1),
    retryAfterMinutes: String(rules.retryAfterMinutes ?? 120),
    expireAfterHours: String(rules.expireAfterHours ?? 72),
    priority: String(rules.priority ?? 0),
    customWindow: Boolean(rules.window),
    windowStart: span?.start ?? '09:00',
    windowEnd: span?.end ?? '20:00',
    scripts: c.scripts.map((s) => ({ name: s.name, say: s.say, sms: s.sms ?? '', locale: s.locale ?? 'en-US', voicemail: s.voicemail ?? '' })),
  };
}

// A number as typed; left empty, the API's default applies. Not a number: sent as typed, so the API names the field.
const num = (v: string): number | undefined => (v.trim() === '' ? undefined : Number.isNaN(Number(v)) ? (v as unknown as number) : Number(v));
const text = (v: string): string | undefined => (v.trim() === '' ? undefined : v);

/** What the API is sent: the draft over the campaign being edited, so fields the form does not show are kept. */
function requestOf(d: Draft, original: Campaign | undefined, windowTouched: boolean): CampaignCreate {
  const window = !d.customWindow ? undefined : windowTouched || !original?.rules?.window ? everyDay(d.windowStart, d.windowEnd) : original.rules.window;
  const trigger: CampaignCreate['trigger'] =
    d.trigger === 'segment-entry' && original
      ? (original.trigger ?? { type: 'manual' })
      : d.trigger === 'abandoned-checkout'
        ? { type: 'abandoned-checkout', delayMinutes: num(d.triggerDelay) }
        : { type: 'manual' };
  const channel: CampaignCreate['channel'] =
    d.policy === 'voice-then-sms' ? { policy: 'voice-then-sms', smsAfterMinutes: num(d.smsAfterMinutes) } : { policy: d.policy };
  return {
    name: d.name,
    ...(d.goal ? { goal: d.goal } : {}),
    trigger,
    channel,
    rules: {
      ...original?.rules,
      delayMinutes: num(d.delayMinutes),
      maxCallAttempts: num(d.maxCallAttempts),
      retryAfterMinutes: num(d.retryAfterMinutes),
      expireAfterHours: num(d.expireAfterHours),
      priority: num(d.priority),
      window,
    },
    scripts: d.scripts.map((s, i) => ({
      ...original?.scripts[i],
      name: s.name,
      say: s.say,
      sms: text(s.sms),
      locale: s.locale,
      voicemail: text(s.voicemail),
    })),
  };
}

export function CampaignForm() {
  const { t } = useTranslation();
  const { id } = useParams();
  const navigate = useNavigate();
  const [original, setOriginal] = useState<Campaign>();
  const [draft, setDraft] = useState<Draft>(blank);
  const [windowTouched, setWindowTouched] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!id) return;
    trpc.campaigns.get.query({ id }).then(
      (c) => {
        setOriginal(c);
        setDraft(draftOf(c));
      },
      (err: unknown) => setError(asApiError(err)),
    );
  }, [id]);

  const { formRef, field, listProblems, unclaimed } = useFieldErrors(error, 'f');

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const setScript = (i: number, key: keyof ScriptDraft, value: string) =>
    setDraft((d) => ({ ...d, scripts: d.scripts.map((s, j) => (j === i ? { ...s, [key]: value } : s)) }));

  const onSubmit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = requestOf(draft, original, windowTouched);
      if (original) await trpc.campaigns.update.mutate({ id: original.id, ...body });
      else await trpc.campaigns.create.mutate(body);
      void navigate('/campaigns');
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  };

  const editingSegmentTrigger = draft.trigger === 'segment-entry';
  const body = (
    <>
      <fieldset>
        <legend>{t('form.basics')}</legend>
        {field('name', t('form.name'), (p) => (
          <input {...p} value={draft.name} onChange={(e) => set('name', e.target.value)} />
        ))}
        {field(
          'goal',
          t('form.goal'),
          (p) => (
            <select {...p} value={draft.goal} onChange={(e) => set('goal', e.target.value as Draft['goal'])}>
              <option value="">{t('form.goalDefault')}</option>
              <option value="interested">{t('campaigns.goals.interested')}</option>
              <option value="link-clicked">{t('campaigns.goals.link-clicked')}</option>
              <option value="order">{t('campaigns.goals.order')}</option>
            </select>
          ),
          t('form.goalHint'),
        )}
        {field('trigger', t('form.trigger'), (p) => (
          <select {...p} value={draft.trigger} disabled={editingSegmentTrigger} onChange={(e) => set('trigger', e.target.value as Draft['trigger'])}>
            <option value="manual">{t('campaigns.triggers.manual')}</option>
            <option value="abandoned-checkout">{t('campaigns.triggers.abandoned-checkout')}</option>
            {editingSegmentTrigger && <option value="segment-entry">{t('campaigns.triggers.segment-entry')}</option>}
          </select>
        ))}
        {draft.trigger === 'abandoned-checkout' &&
          field('trigger.delayMinutes', t('form.triggerDelay'), (p) => (
            <input {...p} type="number" min={0} value={draft.triggerDelay} onChange={(e) => set('triggerDelay', e.target.value)} />
          ))}
      </fieldset>

      <fieldset>
        <legend>{t('form.channel')}</legend>
        {field('channel.policy', t('form.policy'), (p) => (
          <select {...p} value={draft.policy} onChange={(e) => set('policy', e.target.value as Draft['policy'])}>
            <option value="voice-then-sms">{t('campaigns.policies.voice-then-sms')}</option>
            <option value="voice">{t('campaigns.policies.voice')}</option>
            <option value="sms">{t('campaigns.policies.sms')}</option>
          </select>
        ))}
        {draft.policy === 'voice-then-sms' &&
          field('channel.smsAfterMinutes', t('form.smsAfterMinutes'), (p) => (
            <input {...p} type="number" min={0} value={draft.smsAfterMinutes} onChange={(e) => set('smsAfterMinutes', e.target.value)} />
          ))}
      </fieldset>

      <fieldset>
        <legend>{t('form.rules')}</legend>
        <div className="grid">
          {field('rules.delayMinutes', t('form.delayMinutes'), (p) => (
            <input {...p} type="number" min={0} value={draft.delayMinutes} onChange={(e) => set('delayMinutes', e.target.value)} />
          ))}
          {field('rules.maxCallAttempts', t('form.maxCallAttempts'), (p) => (
            <input {...p} type="number" value={draft.maxCallAttempts} onChange={(e) => set('maxCallAttempts', e.target.value)} />
          ))}
          {field('rules.retryAfterMinutes', t('form.retryAfterMinutes'), (p) => (
            <input {...p} type="number" value={draft.retryAfterMinutes} onChange={(e) => set('retryAfterMinutes', e.target.value)} />
          ))}
          {field('rules.expireAfterHours', t('form.expireAfterHours'), (p) => (
            <input {...p} type="number" value={draft.expireAfterHours} onChange={(e) => set('expireAfterHours', e.target.value)} />
          ))}
          {field('rules.priority', t('form.priority'), (p) => (
            <input {...p} type="number" value={draft.priority} onChange={(e) => set('priority', e.target.value)} />
          ))}
        </div>
        <div className="field checkbox">
          <input id="f-customWindow" type="checkbox" checked={draft.customWindow} onChange={(e) => set('customWindow', e.target.checked)} />
          <label htmlFor="f-customWindow">{t('form.customWindow')}</label>
        </div>
        {draft.customWindow && (
          <div className="grid">
            {field(
              'rules.window',
              t('form.windowStart'),
              (p) => (
                <input
                  {...p}
                  type="time"
                  value={draft.windowStart}
                  onChange={(e) => {
                    setWindowTouched(true);
                    set('windowStart', e.target.value);
                  }}
                />
              ),
              t('form.windowHint'),
            )}
            {field('rules.window.end', t('form.windowEnd'), (p) => (
              <input
                {...p}
                type="time"
                value={draft.windowEnd}
                onChange={(e) => {
                  setWindowTouched(true);
                  set('windowEnd', e.target.value);
                }}
              />
            ))}
          </div>
        )}
      </fieldset>

      <fieldset>
        <legend>{t('form.scripts')}</legend>
        {listProblems('scripts')}
        {draft.scripts.map((s, i) => (
          <div className="script" key={i}>
            <h3>{t('form.scriptN', { n: i + 1 })}</h3>
            {field(`scripts.${i}.name`, t('form.scriptName'), (p) => (
              <input {...p} value={s.name} onChange={(e) => setScript(i, 'name', e.target.value)} />
            ))}
            {field(
              `scripts.${i}.say`,
              t('form.say'),
              (p) => (
                <textarea {...p} rows={3} value={s.say} onChange={(e) => setScript(i, 'say', e.target.value)} />
              ),
              t('form.sayHint', { a: '{{name}}', b: '{{context.key}}' }),
            )}
            {field(`scripts.${i}.sms`, t('form.sms'), (p) => (
              <textarea {...p} rows={2} value={s.sms} onChange={(e) => setScript(i, 'sms', e.target.value)} />
            ))}
            {field(`scripts.${i}.locale`, t('form.locale'), (p) => (
              <input {...p} value={s.locale} onChange={(e) => setScript(i, 'locale', e.target.value)} />
            ))}
            {field(`scripts.${i}.voicemail`, t('form.voicemail'), (p) => (
              <textarea {...p} rows={2} value={s.voicemail} onChange={(e) => setScript(i, 'voicemail', e.target.value)} />
            ))}
            {draft.scripts.length > 1 && (
              <button type="button" onClick={() => setDraft((d) => ({ ...d, scripts: d.scripts.filter((_, j) => j !== i) }))}>
                {t('form.removeScript', { n: i + 1 })}
              </button>
            )}
          </div>
        ))}
        <button type="button" onClick={() => setDraft((d) => ({ ...d, scripts: [...d.scripts, newScript(d.scripts.length)] }))}>
          {t('form.addScript')}
        </button>
      </fieldset>
    </>
  );
  // Problems no input above claims (e.g. lines, which the form does not show) are listed at the top.
  const others = unclaimed();

  // Editing: the form waits for the campaign, so nothing typed meanwhile is overwritten by it.
  if (id && !original) {
    return (
      <section>
        {error ? (
          <div role="alert" className="problem">
            {error.message}
          </div>
        ) : (
          <p>{t('common.loading')}</p>
        )}
      </section>
    );
  }

  return (
    <section>
      <h1>{original ? t('form.editTitle', { name: original.name }) : t('form.newTitle')}</h1>
      <FormProblem error={error} unclaimed={others} fixFields="form.fixFields" />
      <form ref={formRef} onSubmit={onSubmit} noValidate>
        {body}
        <div className="actions">
          <button type="button" onClick={() => void navigate('/campaigns')}>
            {t('common.back')}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {original ? t('form.save') : t('form.create')}
          </button>
        </div>
      </form>
    </section>
  );
}
