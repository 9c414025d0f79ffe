/**
 * Scripts: per campaign, each script's chases, complaints, complaint rate and its lower bound,
 * and its flag and pause state. An operator clears a flag (after a confirmation); a viewer or
 * analyst sees no button.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { can, trpc, type Outputs } from '../api.ts';
import { useSession } from '../App.tsx';
import { CampaignFilter } from '../components/CampaignFilter.tsx';
import { Dialog } from '../components/Dialog.tsx';
import { Named } from '../components/Named.tsx';
import { Problem } from '../components/Problem.tsx';
import { useFormats } from '../format.ts';
import { useAction, useCampaigns, useLoad } from '../hooks.ts';

type Script = Outputs['scripts']['list']['items'][number];

export function Scripts() {
  const { t, i18n } = useTranslation();
  const f = useFormats();
  const operator = can(useSession().role, 'operator');
  const [params, setParams] = useSearchParams();
  const campaignId = params.get('campaignId') ?? '';
  const campaigns = useCampaigns();
  const list = useLoad(() => trpc.scripts.list.query(campaignId ? { campaignId } : {}), [campaignId]);
  const [clearing, setClearing] = useState<Script>();
  const [cleared, setCleared] = useState<string>();
  const { error, run } = useAction();

  const clear = (s: Script) => {
    setCleared(undefined);
    return run(async () => {
      await trpc.scripts.clearFlag.mutate({ campaignId: s.campaignId, script: s.script });
      setCleared(s.script);
      list.reload();
    });
  };

  return (
    <section>
      <h1>{t('scripts.title')}</h1>
      <p className="hint">{t('scripts.intro')}</p>
      <form className="filters" role="search" aria-label={t('scripts.title')} onSubmit={(e) => e.preventDefault()}>
        <CampaignFilter
          id="scripts-campaign"
          label={t('scripts.campaign')}
          value={campaignId}
          onChange={(v) => setParams(v ? { campaignId: v } : {})}
          campaigns={campaigns.data?.items}
        />
      </form>
      <Problem error={list.error ?? error ?? campaigns.error} />
      {cleared && (
        <p className="notice" role="status">
          {t('scripts.cleared', { script: cleared })}
        </p>
      )}
      {list.data && list.data.items.length === 0 && <p>{t('scripts.empty')}</p>}
      {list.data && list.data.items.length > 0 && (
        <table data-testid="scripts">
          <caption className="visually-hidden">{t('scripts.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('scripts.campaign')}</th>
              <th scope="col">{t('scripts.script')}</th>
              <th scope="col">{t('scripts.chases')}</th>
              <th scope="col">{t('scripts.complaints')}</th>
              <th scope="col">{t('scripts.complaintRate')}</th>
              <th scope="col">{t('scripts.lower')}</th>
              <th scope="col">{t('scripts.flag')}</th>
              <th scope="col">{t('scripts.paused')}</th>
              {operator && <th scope="col">{t('common.actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((s) => (
              <tr key={`${s.campaignId}:${s.script}`}>
                <td>{s.campaignName}</td>
                <th scope="row">{s.script}</th>
                <td>{f.count(s.chases)}</td>
                <td>{f.count(s.complaints)}</td>
                <td>{f.percent(s.complaintRate)}</td>
                <td>{f.percent(s.complaintRateLower)}</td>
                <td>
                  {s.flagged ? (
                    <>
                      <span className="badge failed">{t('scripts.flaggedAt', { at: new Date(s.flagged.at).toLocaleString(i18n.language) })}</span>
                      <p className="warning">{s.flagged.reason}</p>
                    </>
                  ) : (
                    <span className="muted">{t('scripts.notFlagged')}</span>
                  )}
                </td>
                <td>{s.paused ? <span className="badge paused">{t('scripts.yes')}</span> : t('scripts.no')}</td>
                {operator && (
                  <td>
                    {s.flagged && (
                      <button type="button" onClick={() => setClearing(s)}>
                        {t('scripts.clear')}
                        <Named name={`${s.campaignName} ${s.script}`} />
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {clearing && (
        <Dialog
          title={t('scripts.clearTitle', { script: clearing.script })}
          confirmLabel={t('scripts.clear')}
          onClose={() => setClearing(undefined)}
          onConfirm={() => void clear(clearing)}
        >
          <p>{t('scripts.clearBody')}</p>
        </Dialog>
      )}
    </section>
  );
}
