import { useTranslation } from 'react-i18next';

/** A filter's campaign picker: every campaign, or "all campaigns" (the value ''). */
export function CampaignFilter(props: {
  id: string;
  label: string;
  value: string;
  onChange: (id: string) => void;
  campaigns: { id: string; name: string }[] | undefined;
}) {
  const { t } = useTranslation();
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">{t('chases.allCampaigns')}</option>
        {props.campaigns?.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
    </div>
  );
}
