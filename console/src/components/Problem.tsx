import { useTranslation } from 'react-i18next';
import type { ApiError } from '../api.ts';

/** An API error as a notice (role=alert, so screen readers announce it). */
export function Problem({ error }: { error: ApiError | undefined }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <div role="alert" className="problem">
      <strong>{t(`errors.${error.code}`, { defaultValue: t('errors.INTERNAL') })}</strong> {error.message}
    </div>
  );
}
