import { useState } from 'react';
import { announce } from '../../../components/Announcer';
import { errorMessage } from '../../../components/States';
import { downloadUpload, formatBytes } from '../api/uploads';
import styles from './AttachmentList.module.css';

interface Attachment {
  id: string;
  name: string;
  size: number;
  contentType: string;
}

/** A message's files, each with a Download button (the bytes need the agent's token). */
export function AttachmentList({ attachments }: { attachments: Attachment[] }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  if (attachments.length === 0) return null;
  return (
    <div className={styles.wrap}>
      <ul className={styles.list} aria-label="Attachments">
        {attachments.map((attachment) => (
          <li key={attachment.id} className={styles.item}>
            <span className={styles.name}>{attachment.name}</span>
            <span className={styles.size}>{formatBytes(attachment.size)}</span>
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              aria-label={`Download ${attachment.name}`}
              aria-busy={busy === attachment.id || undefined}
              disabled={busy === attachment.id}
              onClick={() => {
                setBusy(attachment.id);
                setError(null);
                downloadUpload(attachment)
                  .then(() => announce(`Downloading ${attachment.name}`))
                  .catch((cause: unknown) => setError(`${attachment.name}: ${errorMessage(cause)}`))
                  .finally(() => setBusy(null));
              }}
            >
              Download
            </button>
          </li>
        ))}
      </ul>
      {error ? (
        <p role="alert" className={styles.error}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
