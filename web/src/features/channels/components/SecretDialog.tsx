import { Button } from '../../../components/Button';
import { CopyButton } from '../../../components/CopyButton';
import { Dialog } from '../../../components/Dialog';
import styles from './WidgetPage.module.css';

interface Props {
  open: boolean;
  onClose: () => void;
  title: string;
  /** What the secret is, for the copy button and the warning ("identity secret"). */
  what: string;
  value: string;
  children?: React.ReactNode;
}

/** A secret the API shows only once: shown with a copy button and a warning, then gone. */
export function SecretDialog({ open, onClose, title, what, value, children }: Props) {
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => (next ? undefined : onClose())}
      title={title}
      description={`Copy the ${what} now: it is shown only this once and can't be read back later.`}
    >
      <div className={styles.secretRow}>
        <input
          className={styles.secret}
          readOnly
          value={value}
          aria-label={what[0]!.toUpperCase() + what.slice(1)}
          onFocus={(event) => event.target.select()}
        />
        <CopyButton text={value} what={what} />
      </div>
      {children}
      <div className="dialog-actions">
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      </div>
    </Dialog>
  );
}
