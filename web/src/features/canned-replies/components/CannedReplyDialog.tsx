import { useRef, useState, type FormEvent } from 'react';
import { announce } from '../../../components/Announcer';
import { Button } from '../../../components/Button';
import { Dialog } from '../../../components/Dialog';
import { Field } from '../../../components/Field';
import { formErrorsOf, NO_FORM_ERRORS, type FormErrors } from '../../../lib/field-errors';
import { CANNED_REPLY_PLACEHOLDERS, useSaveCannedReply, type CannedReply } from '../api/canned-replies-admin';
import styles from './CannedRepliesPage.module.css';

/** Create (reply null) or edit a canned reply; placeholders go in at the cursor. */
export function CannedReplyDialog({ reply, onClose }: { reply: CannedReply | null; onClose: () => void }) {
  const save = useSaveCannedReply();
  const [shortcut, setShortcut] = useState(reply?.shortcut ?? '');
  const [title, setTitle] = useState(reply?.title ?? '');
  const [body, setBody] = useState(reply?.body ?? '');
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const bodyRef = useRef<HTMLTextAreaElement>(null);

  const insert = (token: string) => {
    const area = bodyRef.current;
    const start = area?.selectionStart ?? body.length;
    const end = area?.selectionEnd ?? body.length;
    setBody(body.slice(0, start) + token + body.slice(end));
    requestAnimationFrame(() => {
      area?.focus();
      area?.setSelectionRange(start + token.length, start + token.length);
    });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors(NO_FORM_ERRORS);
    try {
      const saved = await save.mutateAsync({
        id: reply?.id ?? null,
        body: { shortcut: shortcut.trim(), title: title.trim(), body },
      });
      announce(reply ? `Canned reply ${saved.title} saved` : `Canned reply ${saved.title} created`);
      onClose();
    } catch (caught) {
      setErrors(formErrorsOf(caught, { shortcut: 'Shortcut', title: 'Title', body: 'Reply' }));
    }
  };

  return (
    <Dialog
      open
      size="lg"
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={reply ? `Edit “${reply.title}”` : 'Create canned reply'}
      description="Agents insert canned replies into a ticket’s reply box by their shortcut."
    >
      <form onSubmit={(event) => void submit(event)} noValidate>
        {errors.general ? (
          <p className={styles.alert} role="alert">
            {errors.general}
          </p>
        ) : null}
        <div className={styles.formGrid}>
          <Field label="Shortcut" hint="A short word, e.g. refund." error={errors.fields.shortcut}>
            <input
              className={styles.shortcutInput}
              value={shortcut}
              onChange={(event) => setShortcut(event.target.value)}
              required
              autoFocus
            />
          </Field>
          <Field label="Title" error={errors.fields.title}>
            <input value={title} onChange={(event) => setTitle(event.target.value)} required />
          </Field>
        </div>
        <Field label="Reply" error={errors.fields.body}>
          <textarea
            ref={bodyRef}
            rows={9}
            value={body}
            onChange={(event) => setBody(event.target.value)}
            required
          />
        </Field>
        <div className={styles.placeholders}>
          <p id="placeholder-help" className={styles.placeholdersTitle}>
            Placeholders, filled in when the reply is used:
          </p>
          <ul aria-labelledby="placeholder-help">
            {CANNED_REPLY_PLACEHOLDERS.map((placeholder) => (
              <li key={placeholder.token}>
                <Button
                  size="sm"
                  onClick={() => insert(placeholder.token)}
                  aria-label={`Insert ${placeholder.token}`}
                >
                  <code>{placeholder.token}</code>
                </Button>
                <span>{placeholder.meaning}</span>
              </li>
            ))}
          </ul>
        </div>
        <div className="dialog-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={save.isPending}>
            {reply ? 'Save reply' : 'Create reply'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
