import { useEffect } from 'react';
import type { CannedReply } from '../../canned-replies/api/canned-replies';
import styles from './Composer.module.css';

interface Props {
  id: string;
  replies: CannedReply[];
  active: number;
  loading: boolean;
  onPick: (reply: CannedReply) => void;
  onHover: (index: number) => void;
}

export const optionId = (listId: string, index: number) => `${listId}-option-${index}`;

/**
 * The "/" picker under the composer. Focus stays in the textarea (aria-activedescendant points
 * at the highlighted option); the composer handles the arrow keys, Enter and Escape.
 */
export function CannedReplyPicker({ id, replies, active, loading, onPick, onHover }: Props) {
  useEffect(() => {
    document.getElementById(optionId(id, active))?.scrollIntoView({ block: 'nearest' });
  }, [id, active]);
  return (
    <div className={styles.picker}>
      <ul id={id} role="listbox" aria-label="Canned replies" className={styles.pickerList}>
        {replies.map((reply, index) => (
          <li
            key={reply.id}
            id={optionId(id, index)}
            role="option"
            aria-selected={index === active}
            className={index === active ? `${styles.option} ${styles.optionActive}` : styles.option}
            onMouseDown={(event) => {
              // Keep focus (and the caret) in the textarea.
              event.preventDefault();
              onPick(reply);
            }}
            onMouseEnter={() => onHover(index)}
          >
            <span className={styles.optionShortcut}>/{reply.shortcut}</span>
            <span className={styles.optionTitle}>{reply.title}</span>
            <span className={styles.optionBody}>{reply.body}</span>
          </li>
        ))}
      </ul>
      {replies.length === 0 ? (
        <p className={styles.pickerEmpty}>
          {loading ? 'Searching canned replies…' : 'No canned replies match.'}
        </p>
      ) : null}
    </div>
  );
}
