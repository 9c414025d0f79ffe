import { createContext, lazy, Suspense, useContext, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, Navigate, Route, Routes } from 'react-router';
import { can, currentSession, signOut, whenSignedOut, type Session } from './api.ts';
import { languages, setLanguage, type Language } from './i18n.ts';
import { SignIn } from './pages/SignIn.tsx';
import { Campaigns } from './pages/Campaigns.tsx';
import { CampaignForm } from './pages/CampaignForm.tsx';
import { Chases } from './pages/Chases.tsx';
import { ChaseView } from './pages/ChaseView.tsx';
import { Imports } from './pages/Imports.tsx';

// The pages of round 2 load on first visit, so the sign-in and the first page stay as light as before.
const Overview = lazy(() => import('./pages/Overview.tsx').then((m) => ({ default: m.Overview })));
const Scripts = lazy(() => import('./pages/Scripts.tsx').then((m) => ({ default: m.Scripts })));
const Experiments = lazy(() => import('./pages/Experiments.tsx').then((m) => ({ default: m.Experiments })));
const ExperimentForm = lazy(() => import('./pages/Experiments.tsx').then((m) => ({ default: m.ExperimentForm })));
const Events = lazy(() => import('./pages/Events.tsx').then((m) => ({ default: m.Events })));

const SessionContext = createContext<Session | null>(null);
/** The signed-in session (role, tenant); only used below the sign-in gate. */
export const useSession = () => useContext(SessionContext)!;

/** The pages, in navigation order, each with its route. */
const pages = [
  { path: '/overview', label: 'nav.overview', element: <Overview /> },
  { path: '/campaigns', label: 'nav.campaigns', element: <Campaigns /> },
  { path: '/chases', label: 'nav.chases', element: <Chases /> },
  { path: '/scripts', label: 'nav.scripts', element: <Scripts /> },
  { path: '/experiments', label: 'nav.experiments', element: <Experiments /> },
  { path: '/imports', label: 'nav.imports', element: <Imports /> },
  { path: '/events', label: 'nav.events', element: <Events />, admin: true },
] as const;

function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <label className="language">
      <span>{t('nav.language')}</span>
      <select value={i18n.language} onChange={(e) => setLanguage(e.target.value as Language)}>
        {languages.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export function App() {
  const { t } = useTranslation();
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  useEffect(() => {
    whenSignedOut(() => setSession(null));
    currentSession().then(setSession, () => setSession(null));
  }, []);

  if (session === undefined) return <p className="loading">{t('common.loading')}</p>;
  return (
    <>
      <a className="skip" href="#main">
        {t('nav.skip')}
      </a>
      <header className="top">
        <span className="brand">Chaseline</span>
        {session && (
          <nav aria-label={t('nav.label')}>
            <ul>
              {pages
                .filter((p) => !('admin' in p) || can(session.role, 'admin'))
                .map((p) => (
                  <li key={p.path}>
                    <NavLink to={p.path}>{t(p.label)}</NavLink>
                  </li>
                ))}
            </ul>
          </nav>
        )}
        <div className="tools">
          <LanguageSwitch />
          {session && (
            <>
              <span className="role" data-testid="role">
                {t('session.role', { role: t(`roles.${session.role}`) })}
              </span>
              <button type="button" onClick={() => signOut().then(() => setSession(null))}>
                {t('session.signOut')}
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {session ? (
          <SessionContext.Provider value={session}>
            <Suspense fallback={<p className="loading">{t('common.loading')}</p>}>
              <Routes>
                <Route path="/" element={<Navigate to="/campaigns" replace />} />
                {pages.map((p) => (
                  <Route key={p.path} path={p.path} element={p.element} />
                ))}
                <Route path="/campaigns/new" element={<CampaignForm />} />
                <Route path="/campaigns/:id/edit" element={<CampaignForm />} />
                <Route path="/chases/:id" element={<ChaseView />} />
                <Route path="/experiments/new" element={<ExperimentForm />} />
                <Route path="*" element={<NotFound />} />
              </Routes>
            </Suspense>
          </SessionContext.Provider>
        ) : (
          <SignIn onSignedIn={setSession} />
        )}
      </main>
    </>
  );
}

function NotFound() {
  const { t } = useTranslation();
  return <h1>{t('common.notFound')}</h1>;
}
