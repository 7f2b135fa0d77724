import { isRouteErrorResponse, useRouteError } from 'react-router';
import { ErrorState } from '../components/States';

/** A screen that threw, or a chunk that failed to load (e.g. after a deploy): say so, offer a reload. */
export function RouteError() {
  const error = useRouteError();
  const shown = isRouteErrorResponse(error) ? new Error(`${error.status} ${error.statusText}`) : error;
  return (
    <main id="main" className="page">
      <ErrorState error={shown} title="This screen failed to load" onRetry={() => window.location.reload()} />
    </main>
  );
}
