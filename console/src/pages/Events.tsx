/**
 * Events (admins): the outbound event subscriptions, a chosen one's delivery log (filtered by
 * status), and replay — one delivery, or every event since a time. Subscriptions are made over
 * the API (their secret is shown once, which a page would have to keep on screen).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { trpc, type Inputs } from '../api.ts';
import { Named } from '../components/Named.tsx';
import { Problem } from '../components/Problem.tsx';
import { useAction, useLoad, useSearchFilter } from '../hooks.ts';

type Status = NonNullable<Inputs['eventSubscriptions']['deliveries']['status']>;
const statuses: Status[] = ['pending', 'delivered', 'dead'];

/** A datetime-local value (the browser's own time) one day ago. */
const dayAgo = () => {
  const d = new Date(Date.now() - 86_400_000 - new Date().getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

export function Events() {
  const { t, i18n } = useTranslation();
  const [params, choose] = useSearchFilter();
  const id = params.get('id') ?? '';
  const status = params.get('status') ?? '';
  const subscriptions = useLoad(() => trpc.eventSubscriptions.list.query({ limit: 100 }), []);
  const deliveries = useLoad(
    async () => (id ? trpc.eventSubscriptions.deliveries.query({ id, limit: 100, ...(status ? { status: status as Status } : {}) }) : null),
    [id, status],
  );
  const [since, setSince] = useState(dayAgo);
  const [notice, setNotice] = useState<string>();
  const { error, run } = useAction();
  const when = (s: string | null) => (s ? new Date(s).toLocaleString(i18n.language) : '—');

  const replay = (request: () => Promise<{ queued: number } | unknown>, queued?: number) => {
    setNotice(undefined);
    return run(async () => {
      const res = (await request()) as { queued?: number };
      setNotice(t('eventsPage.queued', { count: res.queued ?? queued ?? 1 }));
      deliveries.reload();
    });
  };

  return (
    <section>
      <h1>{t('eventsPage.title')}</h1>
      <p className="hint">{t('eventsPage.intro')}</p>
      <Problem error={subscriptions.error ?? deliveries.error ?? error} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {subscriptions.data && subscriptions.data.items.length === 0 && <p>{t('eventsPage.empty')}</p>}
      {subscriptions.data && subscriptions.data.items.length > 0 && (
        <table data-testid="subscriptions">
          <caption className="visually-hidden">{t('eventsPage.subscriptions')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('eventsPage.url')}</th>
              <th scope="col">{t('eventsPage.types')}</th>
              <th scope="col">{t('eventsPage.enabled')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {subscriptions.data.items.map((s) => (
              <tr key={s.id} className={s.id === id ? 'best' : undefined}>
                <th scope="row">
                  <code>{s.url}</code>
                  {s.description && <p className="hint">{s.description}</p>}
                </th>
                <td>{s.types.join(', ')}</td>
                <td>{s.enabled ? t('scripts.yes') : t('scripts.no')}</td>
                <td>
                  <button type="button" aria-pressed={s.id === id} onClick={() => choose('id', s.id)}>
                    {t('eventsPage.showLog')}
                    <Named name={s.url} />
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {id && (
        <section className="panel" aria-labelledby="delivery-log">
          <h2 id="delivery-log">{t('eventsPage.log')}</h2>
          <form
            className="filters"
            onSubmit={(e) => {
              e.preventDefault();
              void replay(() => trpc.eventSubscriptions.replay.mutate({ id, since: new Date(since).toISOString() }));
            }}
          >
            <div className="field">
              <label htmlFor="events-status">{t('eventsPage.status')}</label>
              <select id="events-status" value={status} onChange={(e) => choose('status', e.target.value)}>
                <option value="">{t('eventsPage.anyStatus')}</option>
                {statuses.map((s) => (
                  <option key={s} value={s}>
                    {t(`eventsPage.statuses.${s}`)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="events-since">{t('eventsPage.since')}</label>
              <input id="events-since" type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />
            </div>
            <div className="field">
              <span aria-hidden="true">&nbsp;</span>
              <button type="submit">{t('eventsPage.replaySince')}</button>
            </div>
          </form>
          {deliveries.data && deliveries.data.items.length === 0 && <p>{t('eventsPage.noDeliveries')}</p>}
          {deliveries.data && deliveries.data.items.length > 0 && (
            <table className="compact" data-testid="deliveries">
              <caption className="visually-hidden">{t('eventsPage.log')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('eventsPage.event')}</th>
                  <th scope="col">{t('eventsPage.status')}</th>
                  <th scope="col">{t('eventsPage.attempts')}</th>
                  <th scope="col">{t('eventsPage.last')}</th>
                  <th scope="col">{t('eventsPage.created')}</th>
                  <th scope="col">{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {deliveries.data.items.map((d) => (
                  <tr key={d.id}>
                    <th scope="row">{d.eventType}</th>
                    <td>
                      <span className={`badge ${d.status === 'delivered' ? 'completed' : d.status === 'dead' ? 'failed' : 'scheduled'}`}>
                        {t(`eventsPage.statuses.${d.status}`)}
                      </span>
                    </td>
                    <td>{d.attempts}</td>
                    <td>
                      {d.lastStatusCode ?? '—'} {d.lastError && <span className="hint">{d.lastError}</span>}
                    </td>
                    <td>{when(d.createdAt)}</td>
                    <td>
                      {d.status !== 'pending' && (
                        <button type="button" onClick={() => void replay(() => trpc.eventSubscriptions.replayDelivery.mutate({ id, deliveryId: d.id }), 1)}>
                          {t('eventsPage.replay')}
                          <Named name={`${d.eventType} ${d.id}`} />
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </section>
  );
}
