import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { asApiError, signIn, type ApiError, type Session } from '../api.ts';
import { Problem } from '../components/Problem.tsx';

/** The key is pasted once and exchanged for a session cookie; it is kept nowhere in the browser. */
export function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const input = form.elements.namedItem('key') as HTMLInputElement;
    setBusy(true);
    try {
      const session = await signIn(input.value);
      input.value = '';
      onSignedIn(session);
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  };
  return (
    <section className="signin">
      <h1>{t('signIn.title')}</h1>
      <p>{t('signIn.intro')}</p>
      <form onSubmit={onSubmit}>
        <div className="field">
          <label htmlFor="key">{t('signIn.key')}</label>
          <input id="key" name="key" type="password" autoComplete="off" spellCheck={false} required aria-describedby="key-hint" />
          <p id="key-hint" className="hint">
            {t('signIn.keyHint')}
          </p>
        </div>
        <Problem error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {t('signIn.submit')}
        </button>
      </form>
    </section>
  );
}
