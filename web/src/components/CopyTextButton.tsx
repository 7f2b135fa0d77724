import { Button } from './Button';
import { announce } from './Announcer';

/** Copies `text` to the clipboard and says so ("Copied"), or says it could not. */
export function CopyTextButton({
  text,
  label = 'Copy',
  what,
}: {
  text: string;
  label?: string;
  /** Names what is copied for screen readers when several copy buttons share a screen. */
  what?: string;
}) {
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      announce('Copied');
    } catch {
      announce('Could not copy: select the text and copy it yourself');
    }
  };
  return (
    <Button size="sm" onClick={() => void copy()} aria-label={what ? `${label} ${what}` : undefined}>
      {label}
    </Button>
  );
}
