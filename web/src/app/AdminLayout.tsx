import { NavLink, Outlet } from 'react-router';
import styles from './AdminLayout.module.css';

const SECTIONS = [
  { to: 'api-keys', label: 'API keys' },
  { to: 'agents', label: 'Agents' },
  { to: 'tags', label: 'Tags' },
  { to: 'canned-replies', label: 'Canned replies' },
  { to: 'widget', label: 'Chat widget' },
  { to: 'channels', label: 'Email & Telegram' },
  { to: 'knowledge-base', label: 'Knowledge base' },
  { to: 'organization', label: 'Organization' },
];

/** Admin: a section list on the left, the section on the right. */
export function AdminLayout() {
  return (
    <div className={styles.admin}>
      <nav aria-label="Admin" className={styles.sections}>
        <h2 className={styles.heading}>Admin</h2>
        <ul>
          {SECTIONS.map((section) => (
            <li key={section.to}>
              <NavLink to={section.to} className={({ isActive }) => (isActive ? styles.active : '')}>
                {section.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className={styles.main}>
        <Outlet />
      </main>
    </div>
  );
}
