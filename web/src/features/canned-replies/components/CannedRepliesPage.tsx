import { useDeferredValue, useState } from 'react';
import { announce } from '../../../components/Announcer';
import { Button } from '../../../components/Button';
import { ConfirmActionDialog } from '../../../components/ConfirmActionDialog';
import { EmptyState, ErrorState, Loading } from '../../../components/States';
import screen from '../../../components/AdminScreen.module.css';
import { formatDateTime } from '../../../lib/format-date';
import {
  CANNED_REPLY_PLACEHOLDERS,
  useCannedReplyList,
  useDeleteCannedReply,
  type CannedReply,
} from '../api/canned-replies-admin';
import { CannedReplyDialog } from './CannedReplyDialog';
import styles from './CannedRepliesPage.module.css';

type Editing = { reply: CannedReply | null } | null;

export function CannedRepliesPage() {
  const [search, setSearch] = useState('');
  const q = useDeferredValue(search.trim());
  const replies = useCannedReplyList(q);
  const remove = useDeleteCannedReply();
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<CannedReply | null>(null);
  const list = replies.data?.data ?? [];

  return (
    <section aria-labelledby="canned-title">
      <div className={screen.header}>
        <div>
          <h1 id="canned-title">Canned replies</h1>
          <p className={screen.lead}>Saved answers agents insert into a reply by their shortcut.</p>
          <p className={`${screen.lead} ${styles.legend}`}>
            Placeholders: {CANNED_REPLY_PLACEHOLDERS.map((placeholder) => placeholder.token).join(', ')}.
          </p>
        </div>
        <Button variant="primary" onClick={() => setEditing({ reply: null })}>
          Create canned reply
        </Button>
      </div>
      <div className={styles.toolbar}>
        <label className="visually-hidden" htmlFor="canned-search">
          Search canned replies
        </label>
        <input
          id="canned-search"
          type="search"
          placeholder="Search by shortcut, title or text"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
      </div>
      <div className={screen.card}>
        {replies.isPending ? (
          <Loading label="Loading canned replies…" />
        ) : replies.isError ? (
          <ErrorState error={replies.error} onRetry={() => void replies.refetch()} />
        ) : list.length === 0 ? (
          q ? (
            <EmptyState title="No canned reply matches this search" />
          ) : (
            <EmptyState title="No canned replies yet">
              <p>Save the answers your team types again and again.</p>
            </EmptyState>
          )
        ) : (
          <table className="data">
            <caption className="visually-hidden">Canned replies</caption>
            <thead>
              <tr>
                <th scope="col">Shortcut</th>
                <th scope="col">Title</th>
                <th scope="col">Reply</th>
                <th scope="col">Updated</th>
                <th scope="col" className={screen.actionsHead}>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((reply) => (
                <tr key={reply.id}>
                  <td>
                    <span className={styles.shortcut}>{reply.shortcut}</span>
                  </td>
                  <th scope="row">{reply.title}</th>
                  <td className={styles.preview} title={reply.body}>
                    {reply.body}
                  </td>
                  <td className={screen.nowrap}>{formatDateTime(reply.updatedAt)}</td>
                  <td>
                    <div className={screen.actions}>
                      <Button
                        size="sm"
                        onClick={() => setEditing({ reply })}
                        aria-label={`Edit ${reply.title}`}
                      >
                        Edit
                      </Button>
                      <Button
                        size="sm"
                        onClick={() => setDeleting(reply)}
                        aria-label={`Delete ${reply.title}`}
                      >
                        Delete
                      </Button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {editing ? (
        <CannedReplyDialog
          key={editing.reply?.id ?? 'new'}
          reply={editing.reply}
          onClose={() => setEditing(null)}
        />
      ) : null}
      <ConfirmActionDialog
        open={deleting !== null}
        onOpenChange={(open) => {
          if (!open) setDeleting(null);
        }}
        title={`Delete “${deleting?.title ?? ''}”?`}
        confirmLabel="Delete reply"
        onConfirm={async () => {
          if (!deleting) return;
          await remove.mutateAsync(deleting.id);
          announce(`Canned reply ${deleting.title} deleted`);
        }}
      >
        Agents can no longer insert it. Replies already sent stay as they are.
      </ConfirmActionDialog>
    </section>
  );
}
