import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { Announcer } from '../components/Announcer';
import { SessionExpiredDialog } from '../features/auth/components/SessionExpiredDialog';
import { logout } from '../lib/api-client';
import { invalidateForEvent, useStreamEvents, useStreamStatus } from '../lib/live-updates';
import { isAdmin, switchOrg } from '../lib/session';
import { useShortcut } from '../lib/shortcuts';
import { useRequiredSession } from '../lib/use-session';
import styles from './AppLayout.module.css';
import { ShortcutsDialog } from './ShortcutsDialog';

const STATUS_TEXT = { live: 'Live', connecting: 'Connecting…', offline: 'Offline — reconnecting' } as const;

/** The signed-in frame: top bar (navigation, org switcher, live status, account), then the screen. */
export function AppLayout() {
  const session = useRequiredSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const status = useStreamStatus();
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  useStreamEvents((event) => invalidateForEvent(queryClient, event));
  useShortcut({ key: '?', description: 'Show keyboard shortcuts', scope: 'Global' }, () =>
    setShortcutsOpen(true),
  );
  useShortcut({ key: 'g', description: 'Go to the inbox', scope: 'Global' }, () => void navigate('/inbox'));

  // Another org's data must never show under this one's name. Only on a switch: on the first
  // render the cache is already this org's, and removing it would cancel the screen's first
  // queries (their observers then wait forever on a destroyed query).
  const shownOrg = useRef(session.orgId);
  useEffect(() => {
    if (shownOrg.current === session.orgId) return;
    shownOrg.current = session.orgId;
    queryClient.removeQueries();
  }, [session.orgId, queryClient]);

  const org = session.orgs.find((candidate) => candidate.id === session.orgId);
  return (
    <div className={styles.shell}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className={styles.topbar}>
        <span className={styles.brand}>Talki</span>
        <nav aria-label="Main" className={styles.nav}>
          <NavLink to="/inbox" className={({ isActive }) => (isActive ? styles.active : '')}>
            Inbox
          </NavLink>
          {isAdmin(session) ? (
            <NavLink to="/admin" className={({ isActive }) => (isActive ? styles.active : '')}>
              Admin
            </NavLink>
          ) : null}
        </nav>
        <div className={styles.right}>
          <span
            className={`${styles.status} ${styles[status]}`}
            role="status"
            aria-label={`Live updates: ${STATUS_TEXT[status]}`}
          >
            <span className={styles.dot} aria-hidden="true" />
            {STATUS_TEXT[status]}
          </span>
          {session.orgs.length > 1 ? (
            <label className={styles.orgSwitcher}>
              <span className="visually-hidden">Organization</span>
              <select
                value={session.orgId}
                onChange={(event) => {
                  switchOrg(event.target.value);
                  void navigate('/inbox');
                }}
              >
                {session.orgs.map((candidate) => (
                  <option key={candidate.id} value={candidate.id}>
                    {candidate.name}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <span className={styles.orgName}>{org?.name}</span>
          )}
          <DropdownMenu.Root modal={false}>
            <DropdownMenu.Trigger className="btn btn-ghost" aria-label={`Account: ${session.agent.name}`}>
              {session.agent.name}
            </DropdownMenu.Trigger>
            <DropdownMenu.Portal>
              <DropdownMenu.Content className={styles.menu} align="end" sideOffset={4}>
                <DropdownMenu.Label className={styles.menuLabel}>{session.agent.email}</DropdownMenu.Label>
                <DropdownMenu.Item className={styles.menuItem} onSelect={() => setShortcutsOpen(true)}>
                  Keyboard shortcuts
                </DropdownMenu.Item>
                <DropdownMenu.Item
                  className={styles.menuItem}
                  onSelect={() => {
                    void logout().then(() => navigate('/login'));
                  }}
                >
                  Sign out
                </DropdownMenu.Item>
              </DropdownMenu.Content>
            </DropdownMenu.Portal>
          </DropdownMenu.Root>
        </div>
      </header>
      <div className={styles.content}>
        <Outlet />
      </div>
      <ShortcutsDialog open={shortcutsOpen} onOpenChange={setShortcutsOpen} />
      <SessionExpiredDialog />
      <Announcer />
    </div>
  );
}
