import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { trpc, type Inputs } from '../api.ts';
import { CampaignFilter } from '../components/CampaignFilter.tsx';
import { Problem } from '../components/Problem.tsx';
import { useCampaigns, useLoad, useSearchFilter } from '../hooks.ts';

const statuses = ['scheduled', 'dialing', 'completed', 'canceled', 'opted-out', 'expired', 'failed'] as const;
type Status = NonNullable<Inputs['chases']['list']['status']>;

/** Chases, filtered by campaign and status (kept in the address, so a filtered list can be linked to). */
export function Chases() {
  const { t, i18n } = useTranslation();
  const [params, filter] = useSearchFilter();
  const campaignId = params.get('campaignId') ?? '';
  const status = params.get('status') ?? '';
  const campaigns = useCampaigns();
  const chases = useLoad(
    () => trpc.chases.list.query({ limit: 100, ...(campaignId ? { campaignId } : {}), ...(status ? { status: status as Status } : {}) }),
    [campaignId, status],
  );
  const names = new Map(campaigns.data?.items.map((c) => [c.id, c.name]));

  return (
    <section>
      <h1>{t('chases.title')}</h1>
      <form className="filters" role="search" aria-label={t('chases.filters')} onSubmit={(e) => e.preventDefault()}>
        <CampaignFilter
          id="filter-campaign"
          label={t('chases.campaign')}
          value={campaignId}
          onChange={(v) => filter('campaignId', v)}
          campaigns={campaigns.data?.items}
        />
        <div className="field">
          <label htmlFor="filter-status">{t('chases.status')}</label>
          <select id="filter-status" value={status} onChange={(e) => filter('status', e.target.value)}>
            <option value="">{t('chases.allStatuses')}</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {t(`chases.statuses.${s}`)}
              </option>
            ))}
          </select>
        </div>
      </form>
      <Problem error={chases.error ?? campaigns.error} />
      {chases.data && chases.data.items.length === 0 && <p>{t('chases.empty')}</p>}
      {chases.data && chases.data.items.length > 0 && (
        <table>
          <caption className="visually-hidden">{t('chases.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('chases.started')}</th>
              <th scope="col">{t('chases.campaign')}</th>
              <th scope="col">{t('chases.status')}</th>
              <th scope="col">{t('chases.outcome')}</th>
              <th scope="col">{t('chases.script')}</th>
              <th scope="col">{t('chases.tier')}</th>
              <th scope="col">{t('chases.calls')}</th>
            </tr>
          </thead>
          <tbody>
            {chases.data.items.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/chases/${c.id}`}>{new Date(c.createdAt).toLocaleString(i18n.language)}</Link>
                </td>
                <td>{names.get(c.campaignId) ?? c.campaignId}</td>
                <td>
                  <span className={`badge ${c.status}`}>{t(`chases.statuses.${c.status}`, { defaultValue: c.status })}</span>
                </td>
                <td>{c.outcome ? t(`outcomes.${c.outcome}`, { defaultValue: c.outcome }) : '—'}</td>
                <td>{c.script ?? '—'}</td>
                <td>{c.tier ?? '—'}</td>
                <td>{c.callAttempts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
