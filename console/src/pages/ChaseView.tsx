/**
 * One chase: its facts, and its timeline — each call and SMS, what the call said (the script's
 * prompt) and what was understood (intents with their confidence), outcomes and link clicks.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { asApiError, can, trpc, type ApiError, type ChaseDetail } from '../api.ts';
import { useSession } from '../App.tsx';
import { Dialog } from '../components/Dialog.tsx';
import { Problem } from '../components/Problem.tsx';
import { useLoad } from '../hooks.ts';

type Event = ChaseDetail['timeline'][number];

function EventDetail({ event, chase }: { event: Event; chase: ChaseDetail }) {
  const { t } = useTranslation();
  const d = (event.detail ?? {}) as Record<string, unknown>;
  const attempt = chase.attempts.find((a) => a.id === event.attemptId);
  switch (event.type) {
    case 'intent':
      return (
        <p>
          {d.intent
            ? t('timeline.understood', {
                intent: t(`intents.${String(d.intent)}`, { defaultValue: String(d.intent) }),
                confidence: Math.round(Number(d.confidence ?? 0) * 100),
              })
            : t('timeline.nothingHeard')}
          {d.next ? <span className="muted"> · {t('timeline.next', { node: String(d.next) })}</span> : null}
        </p>
      );
    case 'sms-sent':
      return (
        <p>
          {t('timeline.smsFrom', { from: String(d.from ?? attempt?.from ?? '') })}
          {d.reason ? ` · ${String(d.reason)}` : ''}
        </p>
      );
    case 'link-clicked':
      return <p>{t('timeline.linkClicked')}</p>;
    case 'completed':
    case 'failed':
    case 'expired':
      return d.reason ? <p>{String(d.reason)}</p> : null;
    default:
      if (attempt && ['answered', 'no-answer', 'busy', 'machine'].includes(event.type)) {
        return attempt.durationSeconds !== null ? <p>{t('timeline.duration', { seconds: attempt.durationSeconds })}</p> : null;
      }
      return d.reason ? <p>{String(d.reason)}</p> : null;
  }
}

export function ChaseView() {
  const { t, i18n } = useTranslation();
  const { id } = useParams();
  const session = useSession();
  const chase = useLoad(() => trpc.chases.get.query({ id: id! }), [id]);
  const campaign = useLoad(() => (chase.data ? trpc.campaigns.get.query({ id: chase.data.campaignId }) : Promise.resolve(undefined)), [chase.data?.campaignId]);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<ApiError>();
  const c = chase.data;
  const live = c && (c.status === 'scheduled' || c.status === 'dialing');
  const script = campaign.data?.scripts.find((s) => s.name === c?.script);

  const cancel = async () => {
    try {
      await trpc.chases.cancel.mutate({ id: id! });
      chase.reload();
    } catch (err) {
      setError(asApiError(err));
    }
  };

  return (
    <section>
      <p>
        <Link to="/chases">← {t('chases.back')}</Link>
      </p>
      <h1>{t('chases.detailTitle')}</h1>
      <Problem error={chase.error ?? error} />
      {c && (
        <>
          <dl className="facts">
            <div>
              <dt>{t('chases.campaign')}</dt>
              <dd>{campaign.data?.name ?? c.campaignId}</dd>
            </div>
            <div>
              <dt>{t('chases.status')}</dt>
              <dd>
                <span className={`badge ${c.status}`}>{t(`chases.statuses.${c.status}`)}</span>
              </dd>
            </div>
            <div>
              <dt>{t('chases.outcome')}</dt>
              <dd>{c.outcome ? t(`outcomes.${c.outcome}`, { defaultValue: c.outcome }) : '—'}</dd>
            </div>
            <div>
              <dt>{t('chases.script')}</dt>
              <dd>{c.script ?? '—'}</dd>
            </div>
            <div>
              <dt>{t('chases.tier')}</dt>
              <dd>{c.tier ?? '—'}</dd>
            </div>
            <div>
              <dt>{t('chases.calls')}</dt>
              <dd>{c.callAttempts}</dd>
            </div>
          </dl>
          {live && can(session.role, 'operator') && (
            <button type="button" className="danger" onClick={() => setConfirming(true)}>
              {t('chases.cancel')}
            </button>
          )}
          {script && (
            <div className="said">
              <h2>{t('timeline.said')}</h2>
              <blockquote lang={script.locale}>{script.say}</blockquote>
              {script.sms && (
                <>
                  <h3>{t('timeline.smsText')}</h3>
                  <blockquote lang={script.locale}>{script.sms}</blockquote>
                </>
              )}
            </div>
          )}
          <h2>{t('timeline.title')}</h2>
          <ol className="timeline">
            {c.timeline.map((e, i) => {
              const attempt = c.attempts.find((a) => a.id === e.attemptId);
              return (
                <li key={i} className={`event ${e.type}`}>
                  <time dateTime={e.at}>{new Date(e.at).toLocaleString(i18n.language)}</time>
                  <strong>{t(`events.${e.type}`, { defaultValue: e.type })}</strong>
                  {attempt && <span className="muted"> · {t(`channels.${attempt.channel}`)}</span>}
                  <EventDetail event={e} chase={c} />
                </li>
              );
            })}
          </ol>
        </>
      )}
      {confirming && (
        <Dialog title={t('chases.cancelTitle')} confirmLabel={t('chases.cancel')} danger onClose={() => setConfirming(false)} onConfirm={() => void cancel()}>
          <p>{t('chases.cancelBody')}</p>
        </Dialog>
      )}
    </section>
  );
}
