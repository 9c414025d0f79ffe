/**
 * Experiments: each one's arms with their results, where the sequential test stands or its
 * verdict, and (for operators) stop; and the form that starts one, with the API's field errors
 * (`arms.1.script`, `arms.0.window`…) beside their inputs, as the campaign form does.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { asApiError, can, trpc, type ApiError, type Inputs, type Outputs } from '../api.ts';
import { useSession } from '../App.tsx';
import { Dialog } from '../components/Dialog.tsx';
import { FormProblem, useFieldErrors } from '../components/FieldErrors.tsx';
import { Named } from '../components/Named.tsx';
import { Problem } from '../components/Problem.tsx';
import { useFormats } from '../format.ts';
import { useAction, useCampaigns, useLoad } from '../hooks.ts';
import { everyDay, firstSpan } from '../window.ts';

type Experiment = Outputs['experiments']['list']['items'][number];
type ExperimentCreate = Inputs['experiments']['create'];

export function Experiments() {
  const { t, i18n } = useTranslation();
  const f = useFormats();
  const operator = can(useSession().role, 'operator');
  const list = useLoad(() => trpc.experiments.list.query({ limit: 100 }), []);
  const campaigns = useCampaigns();
  const names = new Map(campaigns.data?.items.map((c) => [c.id, c.name]));
  const [stopping, setStopping] = useState<Experiment>();
  const { error, run } = useAction();

  const stop = (e: Experiment) =>
    run(async () => {
      await trpc.experiments.stop.mutate({ id: e.id });
      list.reload();
    });

  return (
    <section>
      <div className="heading">
        <h1>{t('experiments.title')}</h1>
        {operator && (
          <Link className="button primary" to="/experiments/new">
            {t('experiments.new')}
          </Link>
        )}
      </div>
      <Problem error={list.error ?? error ?? campaigns.error} />
      {list.data && list.data.items.length === 0 && <p>{t('experiments.empty')}</p>}
      {list.data?.items.map((e) => (
        <article className="panel experiment" key={e.id} aria-labelledby={`exp-${e.id}`} data-testid="experiment">
          <div className="heading">
            <h2 id={`exp-${e.id}`}>
              {e.name}{' '}
              <span className={`badge ${e.status === 'running' ? 'active' : e.status === 'decided' ? 'completed' : 'canceled'}`}>
                {t(`experiments.statuses.${e.status}`)}
              </span>
            </h2>
            {operator && e.status === 'running' && (
              <button type="button" className="danger" onClick={() => setStopping(e)}>
                {t('experiments.stop')}
                <Named name={e.name} />
              </button>
            )}
          </div>
          <p className="muted">
            {t('experiments.campaign')}: {names.get(e.campaignId) ?? e.campaignId} · {t('experiments.created')}:{' '}
            {new Date(e.createdAt).toLocaleString(i18n.language)}
          </p>
          <table className="compact">
            <caption className="visually-hidden">{t('experiments.arms')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('experiments.armName')}</th>
                <th scope="col">{t('experiments.chases')}</th>
                <th scope="col">{t('experiments.conversions')}</th>
                <th scope="col">{t('experiments.conversionRate')}</th>
                <th scope="col">{t('experiments.complaints')}</th>
                <th scope="col">{t('experiments.revenue')}</th>
              </tr>
            </thead>
            <tbody>
              {e.arms.map((a) => (
                <tr key={a.name} className={e.verdict?.winner === a.name ? 'best' : undefined}>
                  <th scope="row">
                    {a.name}
                    <span className="hint">
                      {' '}
                      {[a.script, a.delayMinutes !== undefined ? `+${a.delayMinutes} min` : '', a.window ? windowText(a.window) : '']
                        .filter(Boolean)
                        .join(' · ')}
                    </span>
                  </th>
                  <td>{f.count(a.chases)}</td>
                  <td>{f.count(a.conversions)}</td>
                  <td>{a.chases ? f.percent(a.conversionRate) : '—'}</td>
                  <td>{f.count(a.complaints)}</td>
                  <td>{a.revenue.length ? a.revenue.map((r) => f.money(r.amount, r.currency)).join(' · ') : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="verdict" data-testid="verdict">
            <strong>{t('experiments.verdict')}: </strong>
            {e.verdict
              ? t('experiments.winner', { arm: e.verdict.winner, at: new Date(e.verdict.decidedAt).toLocaleString(i18n.language) })
              : t('experiments.noVerdict')}
            {e.progress && (
              <>
                {e.progress.waiting && <p className="hint">{t(`experiments.waiting.${e.progress.waiting}`)}</p>}
                <ul className="hint">
                  {e.progress.comparisons.map((c) => (
                    <li key={c.arm}>
                      {c.arm}:{' '}
                      {t('experiments.evidence', { lift: f.percent(c.lift), lr: c.likelihoodRatio.toFixed(2), threshold: e.progress!.threshold.toFixed(0) })}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        </article>
      ))}
      {stopping && (
        <Dialog
          title={t('experiments.stopTitle', { name: stopping.name })}
          confirmLabel={t('experiments.stop')}
          danger
          onClose={() => setStopping(undefined)}
          onConfirm={() => void stop(stopping)}
        >
          <p>{t('experiments.stopBody')}</p>
        </Dialog>
      )}
    </section>
  );
}

function windowText(w: NonNullable<Experiment['arms'][number]['window']>): string {
  const span = firstSpan(w);
  return span ? `${span.start}–${span.end}` : '';
}

interface ArmDraft {
  name: string;
  script: string;
  windowStart: string;
  windowEnd: string;
  delayMinutes: string;
  weight: string;
}

const newArm = (i: number): ArmDraft => ({
  name: i === 0 ? 'control' : `variant ${String.fromCharCode(65 + i - 1)}`,
  script: '',
  windowStart: '',
  windowEnd: '',
  delayMinutes: '',
  weight: '1',
});
const num = (s: string) => (s.trim() === '' ? undefined : Number(s));

function requestOf(d: { campaignId: string; name: string; arms: ArmDraft[]; alpha: string; minChasesPerArm: string }): ExperimentCreate {
  return {
    campaignId: d.campaignId,
    name: d.name,
    arms: d.arms.map((a) => ({
      name: a.name,
      ...(a.script ? { script: a.script } : {}),
      ...(a.windowStart || a.windowEnd ? { window: everyDay(a.windowStart, a.windowEnd) } : {}),
      ...(num(a.delayMinutes) !== undefined ? { delayMinutes: num(a.delayMinutes) } : {}),
      ...(num(a.weight) !== undefined ? { weight: num(a.weight) } : {}),
    })),
    ...(num(d.alpha) !== undefined ? { alpha: num(d.alpha) } : {}),
    ...(num(d.minChasesPerArm) !== undefined ? { minChasesPerArm: num(d.minChasesPerArm) } : {}),
  } as ExperimentCreate;
}

export function ExperimentForm() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const campaigns = useCampaigns();
  const [draft, setDraft] = useState({ campaignId: '', name: '', arms: [newArm(0), newArm(1)], alpha: '0.05', minChasesPerArm: '100' });
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const campaign = campaigns.data?.items.find((c) => c.id === draft.campaignId);

  const { formRef, field, listProblems, unclaimed } = useFieldErrors(error, 'x');

  const setArm = (i: number, key: keyof ArmDraft, value: string) =>
    setDraft((d) => ({ ...d, arms: d.arms.map((a, j) => (j === i ? { ...a, [key]: value } : a)) }));

  const onSubmit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await trpc.experiments.create.mutate(requestOf(draft));
      void navigate('/experiments');
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  };

  const body = (
    <>
      <fieldset>
        <legend>{t('experiments.new')}</legend>
        {field('campaignId', t('experiments.campaign'), (p) => (
          <select {...p} value={draft.campaignId} onChange={(e) => setDraft((d) => ({ ...d, campaignId: e.target.value }))}>
            <option value="">{t('experiments.chooseCampaign')}</option>
            {campaigns.data?.items
              .filter((c) => c.status !== 'canceled')
              .map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
          </select>
        ))}
        {field('name', t('experiments.name'), (p) => (
          <input {...p} value={draft.name} onChange={(e) => setDraft((d) => ({ ...d, name: e.target.value }))} />
        ))}
        <div className="grid">
          {field('alpha', t('experiments.alpha'), (p) => (
            <input {...p} type="number" step="0.01" value={draft.alpha} onChange={(e) => setDraft((d) => ({ ...d, alpha: e.target.value }))} />
          ))}
          {field('minChasesPerArm', t('experiments.minChasesPerArm'), (p) => (
            <input {...p} type="number" value={draft.minChasesPerArm} onChange={(e) => setDraft((d) => ({ ...d, minChasesPerArm: e.target.value }))} />
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('experiments.arms')}</legend>
        <p className="hint">{t('experiments.armsHint')}</p>
        {listProblems('arms')}
        {draft.arms.map((a, i) => (
          <div className="arm" key={i}>
            <h3>{t('experiments.armN', { n: i + 1 })}</h3>
            <div className="grid">
              {field(`arms.${i}.name`, t('experiments.armName'), (p) => (
                <input {...p} value={a.name} onChange={(e) => setArm(i, 'name', e.target.value)} />
              ))}
              {field(`arms.${i}.script`, t('experiments.script'), (p) => (
                <select {...p} value={a.script} onChange={(e) => setArm(i, 'script', e.target.value)}>
                  <option value="">—</option>
                  {campaign?.scripts.map((s) => (
                    <option key={s.name} value={s.name}>
                      {s.name}
                    </option>
                  ))}
                </select>
              ))}
              {field(`arms.${i}.window`, t('experiments.windowStart'), (p) => (
                <input {...p} type="time" value={a.windowStart} onChange={(e) => setArm(i, 'windowStart', e.target.value)} />
              ))}
              {field(`arms.${i}.window.end`, t('experiments.windowEnd'), (p) => (
                <input {...p} type="time" value={a.windowEnd} onChange={(e) => setArm(i, 'windowEnd', e.target.value)} />
              ))}
              {field(`arms.${i}.delayMinutes`, t('experiments.delayMinutes'), (p) => (
                <input {...p} type="number" min={0} value={a.delayMinutes} onChange={(e) => setArm(i, 'delayMinutes', e.target.value)} />
              ))}
              {field(`arms.${i}.weight`, t('experiments.weight'), (p) => (
                <input {...p} type="number" min={0} step="any" value={a.weight} onChange={(e) => setArm(i, 'weight', e.target.value)} />
              ))}
            </div>
            {draft.arms.length > 2 && (
              <button type="button" onClick={() => setDraft((d) => ({ ...d, arms: d.arms.filter((_, j) => j !== i) }))}>
                {t('experiments.removeArm', { n: i + 1 })}
              </button>
            )}
          </div>
        ))}
        {draft.arms.length < 5 && (
          <button type="button" onClick={() => setDraft((d) => ({ ...d, arms: [...d.arms, newArm(d.arms.length)] }))}>
            {t('experiments.addArm')}
          </button>
        )}
      </fieldset>
    </>
  );
  const others = unclaimed();

  return (
    <section>
      <h1>{t('experiments.new')}</h1>
      <Problem error={campaigns.error} />
      <FormProblem error={error} unclaimed={others} fixFields="experiments.fixFields" />
      <form ref={formRef} onSubmit={onSubmit} noValidate>
        {body}
        <div className="actions">
          <button type="button" onClick={() => void navigate('/experiments')}>
            {t('common.back')}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {t('experiments.create')}
          </button>
        </div>
      </form>
    </section>
  );
}
