/**
 * Upload a contact file (CSV or XLSX) or a do-not-call list, with the upload's progress, then
 * the import's counts and every rejected row with its row number and reason. The import's id
 * goes into the address, so the result can be reloaded or shared.
 */
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { can, asApiError, trpc, uploadImport, type ApiError, type ImportOutcome } from '../api.ts';
import { useSession } from '../App.tsx';
import { Chart } from '../components/Chart.tsx';
import { Problem } from '../components/Problem.tsx';
import { useLoad } from '../hooks.ts';

function Result({ result }: { result: ImportOutcome }) {
  const { t } = useTranslation();
  const rejected = result.rejected.length;
  const counts = [
    ['total', result.total],
    ['created', result.created],
    ['updated', result.updated],
    ['rejected', rejected],
  ] as const;
  const option = useMemo(
    () => ({
      grid: { left: 90, right: 24, top: 8, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: [t('imports.created'), t('imports.updated'), t('imports.rejected')] },
      series: [{ type: 'bar', data: [result.created, result.updated, rejected], itemStyle: { color: '#2f6f9f' } }],
    }),
    [result, rejected, t],
  );
  return (
    <section aria-labelledby="result-title" className="result">
      <h2 id="result-title">{t('imports.result')}</h2>
      <dl className="facts" data-testid="import-counts">
        {counts.map(([name, count]) => (
          <div key={name}>
            <dt>{t(`imports.${name}`)}</dt>
            <dd>{count}</dd>
          </div>
        ))}
      </dl>
      <Chart option={option} label={t('imports.chartLabel', { created: result.created, updated: result.updated, rejected })} height={140} />
      {rejected > 0 && (
        <table>
          <caption>{t('imports.rejectedRows')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('imports.row')}</th>
              <th scope="col">{t('imports.column')}</th>
              <th scope="col">{t('imports.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {result.rejected.map((r) => (
              <tr key={`${r.row}-${r.column}`}>
                <td>{r.row}</td>
                <td>{r.column ?? '—'}</td>
                <td>{r.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Imports() {
  const { t } = useTranslation();
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const id = params.get('id');
  const [progress, setProgress] = useState<number>();
  const [error, setError] = useState<ApiError>();
  const [fresh, setFresh] = useState<ImportOutcome>();
  const saved = useLoad(() => (id && fresh?.id !== id ? trpc.imports.get.query({ id }) : Promise.resolve(undefined)), [id]);
  const result = fresh?.id === id ? fresh : saved.data;

  const onSubmit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const file = (form.elements.namedItem('file') as HTMLInputElement).files?.[0];
    if (!file) {
      setError(asApiError(new Error(t('imports.chooseFile'))));
      return;
    }
    const kind = (form.elements.namedItem('kind') as HTMLSelectElement).value;
    const defaultRegion = (form.elements.namedItem('defaultRegion') as HTMLInputElement).value.trim() || undefined;
    setError(undefined);
    setProgress(0);
    try {
      const done = await uploadImport(file, { kind, defaultRegion }, setProgress);
      setFresh(done);
      setParams({ id: done.id });
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setProgress(undefined);
    }
  };

  return (
    <section>
      <h1>{t('imports.title')}</h1>
      {can(session.role, 'operator') ? (
        <form onSubmit={onSubmit} className="upload">
          <div className="field">
            <label htmlFor="file">{t('imports.file')}</label>
            <input
              id="file"
              name="file"
              type="file"
              accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              aria-describedby="file-hint"
            />
            <p id="file-hint" className="hint">
              {t('imports.fileHint')}
            </p>
          </div>
          <div className="grid">
            <div className="field">
              <label htmlFor="kind">{t('imports.kind')}</label>
              <select id="kind" name="kind" defaultValue="contacts">
                <option value="contacts">{t('imports.kinds.contacts')}</option>
                <option value="do-not-call">{t('imports.kinds.do-not-call')}</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="defaultRegion">{t('imports.defaultRegion')}</label>
              <input id="defaultRegion" name="defaultRegion" maxLength={2} placeholder="CN" aria-describedby="region-hint" />
              <p id="region-hint" className="hint">
                {t('imports.defaultRegionHint')}
              </p>
            </div>
          </div>
          <button type="submit" className="primary" disabled={progress !== undefined}>
            {t('imports.upload')}
          </button>
          {progress !== undefined && (
            <div className="progress">
              <label htmlFor="upload-progress">{progress < 1 ? t('imports.uploading') : t('imports.importing')}</label>
              <progress id="upload-progress" max={1} value={progress < 1 ? progress : undefined} />
            </div>
          )}
        </form>
      ) : (
        <p>{t('imports.readOnly')}</p>
      )}
      <Problem error={error ?? saved.error} />
      {result && <Result result={result} />}
    </section>
  );
}
