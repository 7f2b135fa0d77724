import { flushSync } from 'react-dom';
import {
  forwardRef,
  useId,
  useImperativeHandle,
  useRef,
  useState,
  type ChangeEvent,
  type KeyboardEvent,
} from 'react';
import { announce } from '../../../components/Announcer';
import { Button } from '../../../components/Button';
import { errorMessage } from '../../../components/States';
import { clearDraft, loadDraft, saveDraft, type DraftMode } from '../../../lib/drafts';
import { useRequiredSession } from '../../../lib/use-session';
import {
  fillPlaceholders,
  useCannedReplySearch,
  type CannedReply,
} from '../../canned-replies/api/canned-replies';
import { formatBytes, uploadFiles, type Upload } from '../../uploads/api/uploads';
import { newIdempotencyKey, useSendMessage } from '../api/messages';
import { useTypingPresence } from '../hooks/use-typing-presence';
import { CannedReplyPicker, optionId } from './CannedReplyPicker';
import { scrollThreadToEnd } from './Thread';
import styles from './Composer.module.css';

export interface ComposerHandle {
  /** Switches to the mode and puts the caret in the text. */
  open: (mode: DraftMode) => void;
}

interface Props {
  ticketId: string;
  ticketCode: string;
  customerName: string | null;
  customerEmail: string | null;
}

/** The "/word" being typed just before the caret, if any. */
function slashQuery(text: string, caret: number): { start: number; query: string } | null {
  const match = /(^|\s)\/([^\s/]*)$/.exec(text.slice(0, caret));
  if (!match) return null;
  return { start: caret - match[2]!.length - 1, query: match[2]! };
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

export const Composer = forwardRef<ComposerHandle, Props>(function Composer(
  { ticketId, ticketCode, customerName, customerEmail },
  ref,
) {
  const session = useRequiredSession();
  const [mode, setMode] = useState<DraftMode>('reply');
  const [texts, setTexts] = useState(() => ({
    reply: loadDraft(ticketId, 'reply'),
    note: loadDraft(ticketId, 'note'),
  }));
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [slash, setSlash] = useState<{ start: number; query: string } | null>(null);
  const [active, setActive] = useState(0);
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const send = useSendMessage(ticketId);
  const typing = useTypingPresence(ticketId);
  const baseId = useId();
  const listId = `${baseId}-canned`;
  const canned = useCannedReplySearch(slash?.query ?? '', slash !== null);
  const replies = slash ? (canned.data ?? []) : [];
  const pickerOpen = slash !== null && (replies.length > 0 || canned.isFetching);

  useImperativeHandle(ref, () => ({
    open(next) {
      // Rendered and focused before the key handler returns: the keys typed right after `r`
      // or `n` must land in the composer, not trigger shortcuts (an `e` would resolve).
      flushSync(() => setMode(next));
      const element = textarea.current;
      if (!element) return;
      element.focus();
      element.setSelectionRange(element.value.length, element.value.length);
    },
  }));

  const text = texts[mode];
  const setText = (value: string) => {
    setTexts((current) => ({ ...current, [mode]: value }));
    saveDraft(ticketId, mode, value);
  };

  const onChange = (event: ChangeEvent<HTMLTextAreaElement>) => {
    setText(event.target.value);
    typing();
    const next = slashQuery(event.target.value, event.target.selectionStart);
    setSlash(next);
    if (next?.query !== slash?.query) setActive(0);
  };

  const insertCanned = (reply: CannedReply) => {
    if (!slash) return;
    const body = fillPlaceholders(reply.body, {
      customerName,
      customerEmail,
      agentName: session.agent.name,
      ticketCode,
    });
    const end = slash.start + 1 + slash.query.length;
    const next = text.slice(0, slash.start) + body + text.slice(end);
    setText(next);
    setSlash(null);
    const caret = slash.start + body.length;
    window.requestAnimationFrame(() => {
      textarea.current?.focus();
      textarea.current?.setSelectionRange(caret, caret);
    });
  };

  const submit = () => {
    if (send.isPending || uploading) return;
    if (text.trim() === '') {
      textarea.current?.focus();
      return;
    }
    const sentMode = mode;
    send.mutate(
      {
        body: { text, internal: sentMode === 'note', attachments: uploads.map((upload) => upload.id) },
        idempotencyKey,
      },
      {
        onSuccess: () => {
          clearDraft(ticketId, sentMode);
          setTexts((current) => ({ ...current, [sentMode]: '' }));
          setUploads([]);
          setIdempotencyKey(newIdempotencyKey());
          scrollThreadToEnd();
          announce(sentMode === 'note' ? 'Note added' : 'Reply sent');
        },
      },
    );
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (pickerOpen) {
      if (event.key === 'ArrowDown' && replies.length > 0) {
        event.preventDefault();
        setActive((index) => (index + 1) % replies.length);
        return;
      }
      if (event.key === 'ArrowUp' && replies.length > 0) {
        event.preventDefault();
        setActive((index) => (index - 1 + replies.length) % replies.length);
        return;
      }
      if ((event.key === 'Enter' || event.key === 'Tab') && replies[active]) {
        event.preventDefault();
        insertCanned(replies[active]);
        return;
      }
    }
    if (slash && event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      setSlash(null);
      return;
    }
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  };

  const onFiles = (event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])];
    event.target.value = '';
    if (files.length === 0) return;
    setUploading(true);
    setUploadError(null);
    uploadFiles(files)
      .then((added) => {
        setUploads((current) => [...current, ...added]);
        announce(added.length === 1 ? `Attached ${added[0]!.name}` : `Attached ${added.length} files`);
      })
      .catch((error: unknown) => setUploadError(errorMessage(error)))
      .finally(() => setUploading(false));
  };

  const isNote = mode === 'note';
  const label = isNote ? 'Internal note (only agents see it)' : 'Reply to the customer';
  return (
    <section className={`${styles.composer} ${isNote ? styles.noteMode : ''}`} aria-label="Composer">
      <div role="tablist" aria-label="Message type" className={styles.tabs}>
        {(['reply', 'note'] as const).map((candidate) => (
          <button
            key={candidate}
            type="button"
            role="tab"
            id={`${baseId}-tab-${candidate}`}
            aria-selected={mode === candidate}
            aria-controls={`${baseId}-panel`}
            tabIndex={mode === candidate ? 0 : -1}
            className={`${styles.tab} ${mode === candidate ? styles.tabActive : ''} ${candidate === 'note' ? styles.tabNote : ''}`}
            onClick={() => {
              setMode(candidate);
              setSlash(null);
            }}
            onKeyDown={(event) => {
              if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
                const next = candidate === 'reply' ? 'note' : 'reply';
                setMode(next);
                document.getElementById(`${baseId}-tab-${next}`)?.focus();
              }
            }}
          >
            {candidate === 'reply' ? 'Reply' : 'Internal note'}
          </button>
        ))}
        <span className={styles.hint}>{isMac ? '⌘' : 'Ctrl'}+Enter to send · type / for canned replies</span>
      </div>
      <div
        role="tabpanel"
        id={`${baseId}-panel`}
        aria-labelledby={`${baseId}-tab-${mode}`}
        className={styles.panel}
      >
        <label htmlFor={`${baseId}-text`} className="visually-hidden">
          {label}
        </label>
        <textarea
          ref={textarea}
          id={`${baseId}-text`}
          className={styles.textarea}
          value={text}
          rows={4}
          placeholder={
            isNote ? 'Write an internal note… only agents see it' : 'Write a reply to the customer…'
          }
          onChange={onChange}
          onKeyDown={onKeyDown}
          onBlur={() => setSlash(null)}
          aria-controls={pickerOpen ? listId : undefined}
          aria-activedescendant={pickerOpen && replies[active] ? optionId(listId, active) : undefined}
        />
        {pickerOpen ? (
          <CannedReplyPicker
            id={listId}
            replies={replies}
            active={active}
            loading={canned.isFetching}
            onPick={insertCanned}
            onHover={setActive}
          />
        ) : null}
        {uploads.length > 0 ? (
          <ul className={styles.uploads} aria-label="Files to attach">
            {uploads.map((upload) => (
              <li key={upload.id} className={styles.upload}>
                <span>{upload.name}</span>
                <span className={styles.size}>{formatBytes(upload.size)}</span>
                <button
                  type="button"
                  className="btn btn-ghost btn-sm"
                  aria-label={`Remove ${upload.name}`}
                  onClick={() => setUploads((current) => current.filter((item) => item.id !== upload.id))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        {uploadError ? (
          <p role="alert" className={styles.error}>
            Upload failed: {uploadError}
          </p>
        ) : null}
        {send.isError ? (
          <p role="alert" className={styles.error}>
            {isNote ? 'The note was not added' : 'The reply was not sent'}: {errorMessage(send.error)}
          </p>
        ) : null}
        <div className={styles.actions}>
          <input
            ref={fileInput}
            type="file"
            multiple
            className="visually-hidden"
            tabIndex={-1}
            aria-hidden="true"
            onChange={onFiles}
          />
          <Button variant="ghost" size="sm" onClick={() => fileInput.current?.click()} busy={uploading}>
            {uploading ? 'Uploading…' : 'Attach files'}
          </Button>
          <Button
            variant={isNote ? 'secondary' : 'primary'}
            className={isNote ? styles.noteButton : ''}
            onClick={submit}
            busy={send.isPending}
          >
            {isNote ? 'Add note' : 'Send reply'}
          </Button>
        </div>
      </div>
    </section>
  );
});
