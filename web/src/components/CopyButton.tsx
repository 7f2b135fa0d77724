import { useState } from 'react';
import { announce } from './Announcer';
import { Button } from './Button';

/** Copies `text` to the clipboard and says so, on screen and to screen readers. */
export function CopyButton({ text, label = 'Copy', what }: { text: string; label?: string; what: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      size="sm"
      onClick={() => {
        void navigator.clipboard.writeText(text).then(
          () => {
            setCopied(true);
            announce(`${what[0]?.toUpperCase()}${what.slice(1)} copied`);
            window.setTimeout(() => setCopied(false), 2000);
          },
          () => announce(`Could not copy: select the ${what} and copy it yourself`),
        );
      }}
    >
      {copied ? 'Copied' : label}
      <span className="visually-hidden"> {what}</span>
    </Button>
  );
}
