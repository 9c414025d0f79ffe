import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { can, trpc, type Campaign } from '../api.ts';
import { useSession } from '../App.tsx';
import { Dialog } from '../components/Dialog.tsx';
import { Named } from '../components/Named.tsx';
import { Problem } from '../components/Problem.tsx';
import { useAction, useCampaigns } from '../hooks.ts';

type Action = 'pause' | 'resume' | 'cancel';

export function Campaigns() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const operator = can(session.role, 'operator');
  const list = useCampaigns();
  const { error, run } = useAction();
  const [canceling, setCanceling] = useState<Campaign>();

  const act = (campaign: Campaign, action: Action) =>
    run(async () => {
      await trpc.campaigns[action].mutate({ id: campaign.id });
      list.reload();
    });

  return (
    <section>
      <div className="heading">
        <h1>{t('campaigns.title')}</h1>
        {operator && (
          <Link className="button primary" to="/campaigns/new">
            {t('campaigns.new')}
          </Link>
        )}
      </div>
      <Problem error={list.error ?? error} />
      {list.data && list.data.items.length === 0 && <p>{t('campaigns.empty')}</p>}
      {list.data && list.data.items.length > 0 && (
        <table>
          <caption className="visually-hidden">{t('campaigns.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('campaigns.name')}</th>
              <th scope="col">{t('campaigns.status')}</th>
              <th scope="col">{t('campaigns.trigger')}</th>
              <th scope="col">{t('campaigns.channel')}</th>
              <th scope="col">{t('campaigns.goal')}</th>
              <th scope="col">{t('campaigns.created')}</th>
              <th scope="col">{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/chases?campaignId=${c.id}`}>{c.name}</Link>
                  {c.warnings.map((w) => (
                    <p key={w.code} className="warning">
                      {w.message}
                    </p>
                  ))}
                </td>
                <td>
                  <span className={`badge ${c.status}`}>{t(`campaigns.statuses.${c.status}`)}</span>
                </td>
                <td>{t(`campaigns.triggers.${c.trigger?.type ?? 'manual'}`)}</td>
                <td>{t(`campaigns.policies.${c.channel.policy}`)}</td>
                <td>{t(`campaigns.goals.${c.goal}`)}</td>
                <td>{new Date(c.createdAt).toLocaleString(i18n.language)}</td>
                <td className="row-actions">
                  {operator && c.status !== 'canceled' && (
                    <>
                      <Link to={`/campaigns/${c.id}/edit`}>
                        {t('common.edit')}
                        <Named name={c.name} />
                      </Link>
                      {c.status === 'active' ? (
                        <button type="button" onClick={() => act(c, 'pause')}>
                          {t('campaigns.pause')}
                          <Named name={c.name} />
                        </button>
                      ) : (
                        <button type="button" onClick={() => act(c, 'resume')}>
                          {t('campaigns.resume')}
                          <Named name={c.name} />
                        </button>
                      )}
                      <button type="button" className="danger" onClick={() => setCanceling(c)}>
                        {t('campaigns.cancel')}
                        <Named name={c.name} />
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canceling && (
        <Dialog
          title={t('campaigns.cancelTitle', { name: canceling.name })}
          confirmLabel={t('campaigns.cancel')}
          danger
          onClose={() => setCanceling(undefined)}
          onConfirm={() => void act(canceling, 'cancel')}
        >
          <p>{t('campaigns.cancelBody')}</p>
        </Dialog>
      )}
    </section>
  );
}
