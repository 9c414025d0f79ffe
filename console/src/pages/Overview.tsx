/**
 * The overview: a date range's key numbers (each with its definition, as the API words it), a
 * heatmap of connect and conversion by the recipient's local hour × weekday, the funnel, the
 * recovered revenue per day, and a campaign's best-hours table. Every chart's numbers are also
 * on the page as text. The range and campaign are kept in the address, so a view can be linked to.
 */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { trpc, type Outputs } from '../api.ts';
import { CampaignFilter } from '../components/CampaignFilter.tsx';
import { Chart } from '../components/Chart.tsx';
import { Problem } from '../components/Problem.tsx';
import { useFormats } from '../format.ts';
import { useCampaigns, useLoad, useSearchFilter } from '../hooks.ts';

type Row = Outputs['reports']['summary']['rows'][number];
type Hours = Outputs['optimiser']['hours'];

const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const HOURS = Array.from({ length: 24 }, (_, h) => h);
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

/** The range asked for: whole UTC days, `to` inclusive (the API's `to` is the next midnight, exclusive). */
function rangeOf(params: URLSearchParams) {
  const today = isoDay(new Date());
  const to = params.get('to') || today;
  const from = params.get('from') || isoDay(new Date(new Date(`${to}T00:00:00Z`).getTime() - 29 * DAY));
  const campaignId = params.get('campaignId') ?? '';
  const query = {
    from: `${from}T00:00:00Z`,
    to: new Date(new Date(`${to}T00:00:00Z`).getTime() + DAY).toISOString(),
    ...(campaignId ? { campaignId } : {}),
  };
  return { from, to, campaignId, query };
}

export function Overview() {
  const { t } = useTranslation();
  const f = useFormats();
  const [params, filter] = useSearchFilter();
  const { from, to, campaignId, query } = rangeOf(params);
  const key = JSON.stringify(query);
  const campaigns = useCampaigns();
  const definitions = useLoad(() => trpc.reports.definitions.query({}), []);
  const report = useLoad(async () => {
    const [total, grid, days] = await Promise.all([
      trpc.reports.summary.query(query),
      trpc.reports.summary.query({ ...query, groupBy: 'localHour', thenBy: 'weekday' }),
      trpc.reports.summary.query({ ...query, groupBy: 'day' }),
    ]);
    return { total: total.rows[0]!, grid: grid.rows, days: days.rows };
  }, [key]);
  const hours = useLoad(async () => (campaignId ? trpc.optimiser.hours.query({ campaignId }) : null), [campaignId]);
  const defs = definitions.data?.definitions ?? {};
  const total = report.data?.total;

  return (
    <section>
      <h1>{t('overview.title')}</h1>
      <form className="filters" role="search" aria-label={t('overview.filters')} onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="overview-from">{t('overview.from')}</label>
          <input id="overview-from" type="date" value={from} max={to} onChange={(e) => filter('from', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="overview-to">{t('overview.to')}</label>
          <input id="overview-to" type="date" value={to} min={from} onChange={(e) => filter('to', e.target.value)} />
        </div>
        <CampaignFilter
          id="overview-campaign"
          label={t('chases.campaign')}
          value={campaignId}
          onChange={(v) => filter('campaignId', v)}
          campaigns={campaigns.data?.items}
        />
      </form>
      <p className="hint">{t('overview.rangeHint')}</p>
      <Problem error={report.error ?? definitions.error ?? campaigns.error} />
      {total && (
        <>
          <dl className="kpis" data-testid="kpis">
            <Kpi name="chases" label={t('overview.kpi.chases')} value={f.count(total.chases)} definition={defs.chases} />
            <Kpi name="connectRate" label={t('overview.kpi.connectRate')} value={f.percent(total.connectRate)} definition={defs.connectRate} />
            <Kpi name="conversionRate" label={t('overview.kpi.conversionRate')} value={f.percent(total.conversionRate)} definition={defs.conversionRate} />
            <Kpi name="complaintRate" label={t('overview.kpi.complaintRate')} value={f.percent(total.complaintRate)} definition={defs.complaintRate} />
            <Kpi name="invalidRate" label={t('overview.kpi.invalidRate')} value={f.percent(total.invalidRate)} definition={defs.invalidRate} />
            <Kpi
              name="revenue"
              label={t('overview.kpi.revenue')}
              value={total.revenue.length ? total.revenue.map((r) => f.money(r.amount, r.currency)).join(' · ') : '—'}
              definition={defs.revenue}
            />
          </dl>
          <Heatmaps grid={report.data!.grid} />
          <Funnel total={total} definitions={defs} />
          <RevenueOverTime days={report.data!.days} from={from} to={to} />
        </>
      )}
      <BestHours hours={hours.data ?? null} chosen={Boolean(campaignId)} />
      <Problem error={hours.error} />
    </section>
  );
}

function Kpi({ name, label, value, definition }: { name: string; label: string; value: string; definition: string | undefined }) {
  return (
    <div data-testid={`kpi-${name}`}>
      <dt>{label}</dt>
      <dd className="value">{value}</dd>
      {definition && (
        <dd className="definition" lang="en">
          {definition}
        </dd>
      )}
    </div>
  );
}

function Heatmaps({ grid }: { grid: Row[] }) {
  const { t } = useTranslation();
  const f = useFormats();
  const cell = new Map(grid.filter((r) => r.key !== null && r.subKey !== null).map((r) => [`${r.key}:${r.subKey}`, r]));
  const day = (d: number) => t(`weekdays.${d}`);
  const maps = [
    { metric: 'connectRate' as const, title: t('overview.heatConnect') },
    { metric: 'conversionRate' as const, title: t('overview.heatConversion') },
  ];
  const options = useMemo(
    () =>
      maps.map(({ metric }) => ({
        tooltip: { position: 'top' },
        grid: { left: 60, right: 90, top: 10, bottom: 40 },
        xAxis: { type: 'category', data: HOURS.map(String), name: t('overview.hour'), nameLocation: 'middle', nameGap: 24 },
        yAxis: { type: 'category', data: WEEKDAYS.map(day) },
        visualMap: {
          min: 0,
          max: 1,
          calculable: false,
          orient: 'vertical',
          right: 0,
          top: 'middle',
          itemHeight: 120,
          text: [f.percent(1), f.percent(0)],
          inRange: { color: ['#f0f4f8', '#1f5f8b'] },
          formatter: (v: number) => f.percent(v),
        },
        series: [
          {
            type: 'heatmap',
            data: grid
              .filter((r) => typeof r.key === 'number' && typeof r.subKey === 'number' && r[metric] !== null)
              .map((r) => [r.key as number, (r.subKey as number) - 1, r[metric]]),
          },
        ],
      })),
    [grid, t, f],
  );
  return (
    <section className="panel">
      <h2>{t('overview.heatTitle')}</h2>
      <p className="hint">{t('overview.heatHint')}</p>
      {maps.map((m, i) => (
        <div key={m.metric}>
          <h3>{m.title}</h3>
          <Chart option={options[i]!} label={t('overview.heatLabel', { what: m.title })} height={280} />
          <details>
            <summary>{t('overview.asTable', { what: m.title })}</summary>
            <div className="scroll">
              <table className="compact" data-testid={`heat-${m.metric}`}>
                <caption className="visually-hidden">{m.title}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('overview.weekday')}</th>
                    {HOURS.map((h) => (
                      <th scope="col" key={h}>
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {WEEKDAYS.map((d) => (
                    <tr key={d}>
                      <th scope="row">{day(d)}</th>
                      {HOURS.map((h) => (
                        <td key={h}>{f.percent(cell.get(`${h}:${d}`)?.[m.metric])}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </div>
      ))}
    </section>
  );
}

function Funnel({ total, definitions }: { total: Row; definitions: Record<string, string> }) {
  const { t } = useTranslation();
  const f = useFormats();
  const steps = (['chases', 'attempts', 'answered', 'conversions'] as const).map((s) => ({ step: s, label: t(`overview.funnel.${s}`), value: total[s] }));
  const option = useMemo(
    () => ({
      grid: { left: 110, right: 24, top: 10, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: steps.map((s) => s.label) },
      series: [{ type: 'bar', data: steps.map((s) => s.value), itemStyle: { color: '#1f5f8b' }, label: { show: true, position: 'right' } }],
    }),
    [JSON.stringify(steps)],
  );
  return (
    <section className="panel">
      <h2>{t('overview.funnelTitle')}</h2>
      <Chart option={option} label={steps.map((s) => `${s.label} ${s.value}`).join(', ')} height={200} />
      <ol className="funnel" data-testid="funnel">
        {steps.map((s) => (
          <li key={s.step} data-step={s.step}>
            <strong>{s.label}</strong> <span className="value">{f.count(s.value)}</span>
            {definitions[s.step] && (
              <span className="hint" lang="en">
                {' '}
                — {definitions[s.step]}
              </span>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

function RevenueOverTime({ days, from, to }: { days: Row[]; from: string; to: string }) {
  const { t } = useTranslation();
  const f = useFormats();
  const dates: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`).getTime(); d <= new Date(`${to}T00:00:00Z`).getTime(); d += DAY) dates.push(isoDay(new Date(d)));
  const currencies = [...new Set(days.flatMap((r) => r.revenue.map((v) => v.currency)))].sort();
  const amount = (day: string, currency: string) => days.find((r) => r.key === day)?.revenue.find((v) => v.currency === currency)?.amount ?? 0;
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { data: currencies },
      grid: { left: 60, right: 24, top: 30, bottom: 30 },
      xAxis: { type: 'category', data: dates },
      yAxis: { type: 'value' },
      series: currencies.map((c) => ({ name: c, type: 'line', data: dates.map((d) => amount(d, c)) })),
    }),
    [JSON.stringify(days), from, to],
  );
  const withRevenue = days.filter((r) => r.revenue.length);
  return (
    <section className="panel">
      <h2>{t('overview.revenueTitle')}</h2>
      {currencies.length === 0 ? (
        <p>{t('overview.noRevenue')}</p>
      ) : (
        <>
          <Chart option={option} label={t('overview.revenueLabel', { from, to })} />
          <table className="compact" data-testid="revenue-days">
            <caption className="visually-hidden">{t('overview.revenueTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('overview.day')}</th>
                <th scope="col">{t('overview.kpi.revenue')}</th>
              </tr>
            </thead>
            <tbody>
              {withRevenue.map((r) => (
                <tr key={String(r.key)}>
                  <td>{String(r.key)}</td>
                  <td>{r.revenue.map((v) => f.money(v.amount, v.currency)).join(' · ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function BestHours({ hours, chosen }: { hours: Hours | null; chosen: boolean }) {
  const { t } = useTranslation();
  const f = useFormats();
  return (
    <section className="panel">
      <h2>{t('overview.hoursTitle')}</h2>
      {!chosen && <p className="hint">{t('overview.hoursChoose')}</p>}
      {hours && (
        <>
          <p className="hint">
            {hours.optimise ? t('overview.hoursOptimise', { what: t(`overview.optimise.${hours.optimise}`) }) : t('overview.hoursNotOptimised')}
          </p>
          {hours.tiers.map((tier) => {
            const best = Math.max(...tier.buckets.map((b) => b.mean));
            return (
              <table key={tier.tier ?? ''} className="compact" data-testid="best-hours">
                <caption>{tier.tier === null ? t('overview.noTier') : t('overview.tier', { tier: tier.tier })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('overview.hour')}</th>
                    <th scope="col">{t('overview.trials')}</th>
                    <th scope="col">{t('overview.connects')}</th>
                    <th scope="col">{t('overview.conversions')}</th>
                    <th scope="col">{t('overview.mean')}</th>
                    <th scope="col">{t('overview.interval')}</th>
                  </tr>
                </thead>
                <tbody>
                  {tier.buckets.map((b) => (
                    <tr key={b.hour} className={b.mean === best ? 'best' : undefined}>
                      <td>{`${String(b.hour).padStart(2, '0')}:00`}</td>
                      <td>{b.trials}</td>
                      <td>{b.connects}</td>
                      <td>{b.conversions}</td>
                      <td>{f.percent(b.mean)}</td>
                      <td>
                        {f.percent(b.lower)} – {f.percent(b.upper)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            );
          })}
        </>
      )}
    </section>
  );
}
