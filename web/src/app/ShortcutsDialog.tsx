import { Dialog } from '../components/Dialog';
import { useShortcutList } from '../lib/shortcuts';

const KEY_NAMES: Record<string, string> = { Enter: 'Enter', Escape: 'Esc', ' ': 'Space' };

/** `?`: every shortcut the current screen offers, grouped by where it applies. */
export function ShortcutsDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const shortcuts = useShortcutList();
  const scopes = [...new Set(shortcuts.map((shortcut) => shortcut.scope))];
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title="Keyboard shortcuts">
      {scopes.map((scope) => (
        <section key={scope} aria-label={scope}>
          <h3>{scope}</h3>
          <dl className="shortcut-list">
            {shortcuts
              .filter((shortcut) => shortcut.scope === scope)
              .map((shortcut) => (
                <div key={`${scope}-${shortcut.key}`} className="shortcut-row">
                  <dt>
                    <kbd>{KEY_NAMES[shortcut.key] ?? shortcut.key}</kbd>
                  </dt>
                  <dd>{shortcut.description}</dd>
                </div>
              ))}
          </dl>
        </section>
      ))}
    </Dialog>
  );
}
