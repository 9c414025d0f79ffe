import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';

/** Numbers in the chosen language: percentages (— for a rate with nothing to divide), counts, money per currency. */
export function useFormats() {
  const { i18n } = useTranslation();
  return useMemo(() => {
    const percent = new Intl.NumberFormat(i18n.language, { style: 'percent', maximumFractionDigits: 1 });
    const count = new Intl.NumberFormat(i18n.language);
    return {
      percent: (n: number | null | undefined) => (n === null || n === undefined ? '—' : percent.format(n)),
      count: (n: number) => count.format(n),
      money: (amount: number, currency: string) => new Intl.NumberFormat(i18n.language, { style: 'currency', currency }).format(amount),
    };
  }, [i18n.language]);
}
