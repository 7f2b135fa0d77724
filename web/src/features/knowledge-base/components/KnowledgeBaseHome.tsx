import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { announce } from '../../../components/Announcer';
import { Badge } from '../../../components/Badge';
import { Button } from '../../../components/Button';
import { Dialog } from '../../../components/Dialog';
import { Field } from '../../../components/Field';
import { EmptyState, ErrorState, Loading, errorMessage } from '../../../components/States';
import { ApiError } from '../../../lib/api-client';
import { formErrorsOf } from '../../../lib/field-errors';
import {
  useArticles,
  useCollections,
  useCreateCollection,
  useDeleteArticle,
  useDeleteCollection,
  useUpdateArticle,
  useUpdateCollection,
  type ArticleSummary,
  type Collection,
} from '../api/knowledge-base';
import styles from './KnowledgeBasePage.module.css';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** Collections on the left, the chosen collection's articles on the right. */
export function KnowledgeBaseHome() {
  const [params, setParams] = useSearchParams();
  const collections = useCollections();
  const asked = params.get('collection') ?? undefined;
  // A collection that no longer exists (deleted here or elsewhere) shows all articles instead.
  const selected =
    asked === undefined ||
    asked === 'none' ||
    !collections.data ||
    collections.data.some((c) => c.id === asked)
      ? asked
      : undefined;
  const current = collections.data?.find((collection) => collection.id === selected);
  return (
    <section aria-labelledby="kb-heading">
      <div className={styles.header}>
        <div>
          <h1 id="kb-heading">Knowledge base</h1>
          <p className={styles.lead}>Articles customers find in the chat widget, grouped in collections.</p>
        </div>
        <Link
          className={`btn btn-primary ${styles.newArticle}`}
          to={`articles/new${selected && selected !== 'none' ? `?collection=${encodeURIComponent(selected)}` : ''}`}
        >
          New article
        </Link>
      </div>
      <div className={styles.layout}>
        <CollectionsPanel
          selected={selected}
          onSelect={(id) => setParams(id ? { collection: id } : {})}
          collections={collections}
        />
        <ArticlesPanel
          collectionId={selected}
          title={selected === 'none' ? 'Not in a collection' : (current?.name ?? 'All articles')}
          collections={collections.data ?? []}
        />
      </div>
    </section>
  );
}

function CollectionsPanel({
  selected,
  onSelect,
  collections,
}: {
  selected: string | undefined;
  onSelect: (id: string | undefined) => void;
  collections: ReturnType<typeof useCollections>;
}) {
  const create = useCreateCollection();
  const update = useUpdateCollection();
  const [name, setName] = useState('');
  const [renaming, setRenaming] = useState<Collection | null>(null);
  const [deleting, setDeleting] = useState<Collection | null>(null);
  const list = collections.data ?? [];
  const createErrors = formErrorsOf(create.error, { name: 'Name' });

  /** Swaps positions with a neighbour; positions are renumbered so ties can't keep the old order. */
  const move = (index: number, by: -1 | 1) => {
    const order = [...list];
    const [item] = order.splice(index, 1);
    order.splice(index + by, 0, item!);
    void Promise.all(
      order.map((collection, position) =>
        collection.position === position
          ? Promise.resolve()
          : update.mutateAsync({ id: collection.id, body: { position } }),
      ),
    ).then(
      () => announce(`${item!.name} moved ${by < 0 ? 'up' : 'down'}`),
      (error: unknown) => announce(`Could not move ${item!.name}: ${errorMessage(error)}`),
    );
  };

  return (
    <nav aria-labelledby="collections-heading" className={styles.collections}>
      <h2 id="collections-heading">Collections</h2>
      <ul className={styles.collectionList}>
        <li>
          <button
            type="button"
            className={styles.collectionButton}
            aria-current={selected === undefined ? 'true' : undefined}
            onClick={() => onSelect(undefined)}
          >
            All articles
          </button>
        </li>
        {collections.isPending ? (
          <li>
            <Loading label="Loading collections…" />
          </li>
        ) : collections.isError ? (
          <li>
            <ErrorState error={collections.error} onRetry={() => void collections.refetch()} />
          </li>
        ) : (
          list.map((collection, index) => (
            <li key={collection.id} className={styles.collectionRow}>
              <button
                type="button"
                className={styles.collectionButton}
                aria-current={selected === collection.id ? 'true' : undefined}
                onClick={() => onSelect(collection.id)}
              >
                {collection.name}
              </button>
              <span className={styles.collectionActions}>
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={`Move ${collection.name} up`}
                  disabled={index === 0 || update.isPending}
                  onClick={() => move(index, -1)}
                >
                  ↑
                </Button>
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={`Move ${collection.name} down`}
                  disabled={index === list.length - 1 || update.isPending}
                  onClick={() => move(index, 1)}
                >
                  ↓
                </Button>
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={`Rename ${collection.name}`}
                  onClick={() => setRenaming(collection)}
                >
                  Rename
                </Button>
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={`Delete ${collection.name}`}
                  onClick={() => setDeleting(collection)}
                >
                  Delete
                </Button>
              </span>
            </li>
          ))
        )}
        <li>
          <button
            type="button"
            className={styles.collectionButton}
            aria-current={selected === 'none' ? 'true' : undefined}
            onClick={() => onSelect('none')}
          >
            Not in a collection
          </button>
        </li>
      </ul>
      {!collections.isPending && list.length === 0 ? <p className="field-hint">No collections yet.</p> : null}
      <form
        className={styles.newCollection}
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate(
            { name: name.trim() },
            {
              onSuccess: (created) => {
                setName('');
                announce(`Collection ${created.name} created`);
                onSelect(created.id);
              },
            },
          );
        }}
      >
        <Field label="New collection" error={createErrors.fields.name ?? createErrors.general}>
          <input value={name} maxLength={200} onChange={(event) => setName(event.target.value)} />
        </Field>
        <Button type="submit" busy={create.isPending}>
          Create collection
        </Button>
      </form>
      <RenameCollectionDialog collection={renaming} onClose={() => setRenaming(null)} />
      <DeleteCollectionDialog
        collection={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={(id) => (selected === id ? onSelect(undefined) : undefined)}
      />
    </nav>
  );
}

function RenameCollectionDialog({
  collection,
  onClose,
}: {
  collection: Collection | null;
  onClose: () => void;
}) {
  return (
    <Dialog
      open={collection !== null}
      onOpenChange={(open) => (open ? undefined : onClose())}
      title="Rename collection"
    >
      {collection ? <RenameForm collection={collection} onClose={onClose} /> : null}
    </Dialog>
  );
}

function RenameForm({ collection, onClose }: { collection: Collection; onClose: () => void }) {
  const update = useUpdateCollection();
  const [name, setName] = useState(collection.name);
  const [description, setDescription] = useState(collection.description ?? '');
  const { fields: errors, general: alert } = formErrorsOf(update.error, {
    name: 'Name',
    description: 'Description',
  });
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        update.mutate(
          { id: collection.id, body: { name: name.trim(), description: description.trim() || null } },
          {
            onSuccess: (saved) => {
              announce(`Collection ${saved.name} saved`);
              onClose();
            },
          },
        );
      }}
    >
      <Field label="Name" error={errors.name}>
        <input value={name} onChange={(event) => setName(event.target.value)} />
      </Field>
      <Field label="Description" error={errors.description}>
        <textarea rows={2} value={description} onChange={(event) => setDescription(event.target.value)} />
      </Field>
      {alert ? (
        <p className="field-error" role="alert">
          {alert}
        </p>
      ) : null}
      <div className="dialog-actions">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="primary" busy={update.isPending}>
          Save
        </Button>
      </div>
    </form>
  );
}

function DeleteCollectionDialog({
  collection,
  onClose,
  onDeleted,
}: {
  collection: Collection | null;
  onClose: () => void;
  onDeleted: (id: string) => void;
}) {
  const remove = useDeleteCollection();
  const count =
    remove.error instanceof ApiError && remove.error.status === 409
      ? (remove.error.details as { articleCount?: number } | null)?.articleCount
      : undefined;
  return (
    <Dialog
      open={collection !== null}
      onOpenChange={(open) => {
        if (!open) {
          remove.reset();
          onClose();
        }
      }}
      title={`Delete ${collection?.name ?? 'collection'}?`}
      description="Only an empty collection can be deleted: move its articles elsewhere or delete them first."
    >
      {remove.isError ? (
        <p className="field-error" role="alert">
          {count !== undefined
            ? `It still holds ${count} article${count === 1 ? '' : 's'}: move or delete ${count === 1 ? 'it' : 'them'} first.`
            : errorMessage(remove.error)}
        </p>
      ) : null}
      <div className="dialog-actions">
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="danger"
          busy={remove.isPending}
          onClick={() =>
            collection &&
            remove.mutate(collection.id, {
              onSuccess: () => {
                announce(`Collection ${collection.name} deleted`);
                onDeleted(collection.id);
                onClose();
              },
            })
          }
        >
          Delete collection
        </Button>
      </div>
    </Dialog>
  );
}

function ArticlesPanel({
  collectionId,
  title,
  collections,
}: {
  collectionId: string | undefined;
  title: string;
  collections: Collection[];
}) {
  const articles = useArticles(collectionId);
  const update = useUpdateArticle();
  const [deleting, setDeleting] = useState<ArticleSummary | null>(null);
  const collectionName = (id: string | null) => collections.find((c) => c.id === id)?.name ?? '—';
  return (
    <div className={styles.articles} aria-labelledby="articles-heading" role="region">
      <h2 id="articles-heading">{title}</h2>
      {articles.isPending ? (
        <Loading label="Loading articles…" />
      ) : articles.isError ? (
        <ErrorState error={articles.error} onRetry={() => void articles.refetch()} />
      ) : articles.data.data.length === 0 ? (
        <EmptyState title="No articles here yet">
          <p>Write one with “New article”.</p>
        </EmptyState>
      ) : (
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Title</th>
              {collectionId === undefined ? <th scope="col">Collection</th> : null}
              <th scope="col">Status</th>
              <th scope="col">Updated</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {articles.data.data.map((article) => (
              <tr key={article.id}>
                <td>
                  <Link to={`articles/${article.id}`} className={styles.articleTitle}>
                    {article.title}
                  </Link>
                  <div className={styles.excerpt}>{article.excerpt}</div>
                </td>
                {collectionId === undefined ? <td>{collectionName(article.collectionId)}</td> : null}
                <td>
                  {article.status === 'published' ? (
                    <Badge tone="success">Published</Badge>
                  ) : (
                    <Badge>Draft</Badge>
                  )}
                </td>
                <td className={styles.nowrap}>{dateFormat.format(new Date(article.updatedAt))}</td>
                <td className={styles.rowActions}>
                  <Button
                    size="sm"
                    aria-label={`${article.status === 'published' ? 'Unpublish' : 'Publish'} ${article.title}`}
                    disabled={update.isPending}
                    onClick={() =>
                      update.mutate(
                        {
                          id: article.id,
                          body: { status: article.status === 'published' ? 'draft' : 'published' },
                        },
                        {
                          onSuccess: (saved) =>
                            announce(
                              `${saved.title} ${saved.status === 'published' ? 'published' : 'unpublished'}`,
                            ),
                          onError: (error) =>
                            announce(`Could not change ${article.title}: ${errorMessage(error)}`),
                        },
                      )
                    }
                  >
                    {article.status === 'published' ? 'Unpublish' : 'Publish'}
                  </Button>
                  <Button
                    size="sm"
                    variant="ghost"
                    aria-label={`Delete ${article.title}`}
                    onClick={() => setDeleting(article)}
                  >
                    Delete
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <DeleteArticleDialog article={deleting} onClose={() => setDeleting(null)} />
    </div>
  );
}

export function DeleteArticleDialog({
  article,
  onClose,
  onDeleted,
}: {
  article: { id: string; title: string } | null;
  onClose: () => void;
  onDeleted?: () => void;
}) {
  const remove = useDeleteArticle();
  return (
    <Dialog
      open={article !== null}
      onOpenChange={(open) => {
        if (!open) {
          remove.reset();
          onClose();
        }
      }}
      title={`Delete “${article?.title ?? ''}”?`}
      description="The article is gone for good, also from the chat widget."
    >
      {remove.isError ? (
        <p className="field-error" role="alert">
          {errorMessage(remove.error)}
        </p>
      ) : null}
      <div className="dialog-actions">
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="danger"
          busy={remove.isPending}
          onClick={() =>
            article &&
            remove.mutate(article.id, {
              onSuccess: () => {
                announce(`${article.title} deleted`);
                onClose();
                onDeleted?.();
              },
            })
          }
        >
          Delete article
        </Button>
      </div>
    </Dialog>
  );
}
