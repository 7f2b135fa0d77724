import { useEffect, useState, type ReactNode } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { ErrorState, Loading } from '../components/States';
import { resumeSession } from '../lib/api-client';
import { isAdmin } from '../lib/session';
import { useSession } from '../lib/use-session';

type Resume = { state: 'pending' } | { state: 'done' } | { state: 'failed'; error: unknown };

/** Signed-in screens: resumes the stored session after a reload, else sends to /login and back. */
export function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  const [resume, setResume] = useState<Resume>(session ? { state: 'done' } : { state: 'pending' });
  useEffect(() => {
    if (resume.state !== 'pending') return;
    resumeSession().then(
      () => setResume({ state: 'done' }),
      (error: unknown) => setResume({ state: 'failed', error }),
    );
  }, [resume.state]);
  if (session) return children;
  if (resume.state === 'pending') return <Loading label="Signing you in…" />;
  if (resume.state === 'failed') {
    return (
      <ErrorState
        error={resume.error}
        title="Talki is unreachable"
        onRetry={() => setResume({ state: 'pending' })}
      />
    );
  }
  const next = `${location.pathname}${location.search}`;
  return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
}

/** Admin screens: a plain agent gets the not-allowed page (and never sees the Admin link). */
export function RequireAdmin() {
  const session = useSession();
  if (!isAdmin(session)) {
    return (
      <main id="main" className="page">
        <h1>Admins only</h1>
        <p>Ask an admin of this organization if you need access to these settings.</p>
      </main>
    );
  }
  return <Outlet />;
}
