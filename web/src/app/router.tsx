import { createBrowserRouter, Navigate } from 'react-router';
import { LoginPage } from '../features/auth/components/LoginPage';
import { AppLayout } from './AppLayout';
import { RequireAdmin, RequireSession } from './guards';
import { NotFoundPage } from './NotFoundPage';
import { RouteError } from './RouteError';
import { Loading } from '../components/States';

/**
 * Every screen of the agent app. Each feature's screens load on first visit, so the first page
 * downloads only the shell. `talki serve` answers these same paths with index.html
 * (src/http/web-app.ts): keep its list in step when a top-level path is added.
 */
export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage />, errorElement: <RouteError /> },
  {
    path: '/',
    element: (
      <RequireSession>
        <AppLayout />
      </RequireSession>
    ),
    errorElement: <RouteError />,
    hydrateFallbackElement: <Loading />,
    children: [
      { index: true, element: <Navigate to="/inbox" replace /> },
      {
        path: 'inbox',
        lazy: async () => ({
          Component: (await import('../features/tickets/components/InboxPage')).InboxPage,
        }),
      },
      {
        path: 'tickets/:ticketId',
        lazy: async () => ({
          Component: (await import('../features/tickets/components/TicketPage')).TicketPage,
        }),
      },
      {
        path: 'admin',
        element: <RequireAdmin />,
        children: [
          {
            lazy: async () => ({ Component: (await import('./AdminLayout')).AdminLayout }),
            children: [
              { index: true, element: <Navigate to="/admin/api-keys" replace /> },
              {
                path: 'api-keys',
                lazy: async () => ({
                  Component: (await import('../features/api-keys/components/ApiKeysPage')).ApiKeysPage,
                }),
              },
              {
                path: 'agents',
                lazy: async () => ({
                  Component: (await import('../features/agents/components/AgentsPage')).AgentsPage,
                }),
              },
              {
                path: 'tags',
                lazy: async () => ({
                  Component: (await import('../features/tags/components/TagsPage')).TagsPage,
                }),
              },
              {
                path: 'canned-replies',
                lazy: async () => ({
                  Component: (await import('../features/canned-replies/components/CannedRepliesPage'))
                    .CannedRepliesPage,
                }),
              },
              {
                path: 'widget',
                lazy: async () => ({
                  Component: (await import('../features/channels/components/WidgetPage')).WidgetPage,
                }),
              },
              {
                path: 'channels',
                lazy: async () => ({
                  Component: (await import('../features/channels/components/ChannelsPage')).ChannelsPage,
                }),
              },
              {
                path: 'organization',
                lazy: async () => ({
                  Component: (await import('../features/orgs/components/OrganizationPage')).OrganizationPage,
                }),
              },
              {
                path: 'knowledge-base/*',
                lazy: async () => ({
                  Component: (await import('../features/knowledge-base/components/KnowledgeBasePage'))
                    .KnowledgeBasePage,
                }),
              },
            ],
          },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
