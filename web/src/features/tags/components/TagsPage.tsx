import { useState } from 'react';
import { announce } from '../../../components/Announcer';
import { Button } from '../../../components/Button';
import { ConfirmActionDialog } from '../../../components/ConfirmActionDialog';
import { EmptyState, ErrorState, Loading } from '../../../components/States';
import screen from '../../../components/AdminScreen.module.css';
import { useDeleteTag, useTagList, type Tag } from '../api/tags-admin';
import { TagChip, TagDialog } from './TagDialog';
import styles from './TagsPage.module.css';

type Editing = { tag: Tag | null } | null;

export function TagsPage() {
  const tags = useTagList();
  const remove = useDeleteTag();
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Tag | null>(null);
  const [filter, setFilter] = useState('');
  const all = tags.data?.data ?? [];
  const needle = filter.trim().toLowerCase();
  const shown = needle ? all.filter((tag) => tag.name.toLowerCase().includes(needle)) : all;

  return (
    <section aria-labelledby="tags-title">
      <div className={screen.header}>
        <div>
          <h1 id="tags-title">Tags</h1>
          <p className={screen.lead}>
            Tags group tickets for filtering and reporting. A colour makes them easy to spot.
          </p>
        </div>
        <Button variant="primary" onClick={() => setEditing({ tag: null })}>
          Create tag
        </Button>
      </div>
      {all.length > 8 ? (
        <div className={styles.toolbar}>
          <label className="visually-hidden" htmlFor="tag-filter">
            Filter tags
          </label>
          <input
            id="tag-filter"
            type="search"
            placeholder="Filter tags"
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
          />
        </div>
      ) : null}
      <div className={screen.card}>
        {tags.isPending ? (
          <Loading label="Loading tags…" />
        ) : tags.isError ? (
          <ErrorState error={tags.error} onRetry={() => void tags.refetch()} />
        ) : all.length === 0 ? (
          <EmptyState title="No tags yet">
            <p>Create one here, or type a new tag on a ticket.</p>
          </EmptyState>
        ) : shown.length === 0 ? (
          <EmptyState title="No tag matches this filter" />
        ) : (
          <table className="data">
            <caption className="visually-hidden">Tags</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Colour</th>
                <th scope="col">Tickets</th>
                <th scope="col" className={screen.actionsHead}>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((tag) => (
                <tr key={tag.id}>
                  <th scope="row">
                    <TagChip name={tag.name} color={tag.color} />
                  </th>
                  <td>
                    {tag.color ? (
                      <span className={styles.swatch}>
                        <span
                          className={styles.swatchBox}
                          style={{ background: tag.color }}
                          aria-hidden="true"
                        />
                        <span className={screen.mono}>{tag.color.toUpperCase()}</span>
                      </span>
                    ) : (
                      <span className={screen.muted}>None</span>
                    )}
                  </td>
                  <td>{tag.ticketCount}</td>
                  <td>
                    <div className={screen.actions}>
                      <Button size="sm" onClick={() => setEditing({ tag })} aria-label={`Edit ${tag.name}`}>
                        Edit
                      </Button>
                      <Button size="sm" onClick={() => setDeleting(tag)} aria-label={`Delete ${tag.name}`}>
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
        <TagDialog key={editing.tag?.id ?? 'new'} tag={editing.tag} onClose={() => setEditing(null)} />
      ) : null}
      <ConfirmActionDialog
        open={deleting !== null}
        onOpenChange={(open) => {
          if (!open) setDeleting(null);
        }}
        title={`Delete tag “${deleting?.name ?? ''}”?`}
        confirmLabel="Delete tag"
        onConfirm={async () => {
          if (!deleting) return;
          await remove.mutateAsync(deleting.id);
          announce(`Tag ${deleting.name} deleted`);
        }}
      >
        {deleting && deleting.ticketCount > 0
          ? `It comes off the ${deleting.ticketCount} ticket${deleting.ticketCount === 1 ? '' : 's'} that carry it.`
          : 'No ticket carries it.'}
      </ConfirmActionDialog>
    </section>
  );
}
