import { useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { announce } from '../../../components/Announcer';
import { Badge } from '../../../components/Badge';
import { Button } from '../../../components/Button';
import { Field } from '../../../components/Field';
import { ErrorState, Loading } from '../../../components/States';
import { formErrorsOf } from '../../../lib/field-errors';
import {
  useArticle,
  useCollections,
  useCreateArticle,
  useUpdateArticle,
  type Article,
} from '../api/knowledge-base';
import { DeleteArticleDialog } from './KnowledgeBaseHome';
import { MarkdownPreview } from './MarkdownPreview';
import styles from './KnowledgeBasePage.module.css';

/** `articles/new` or `articles/:articleId`: the markdown editor with its preview. */
export function ArticleEditor() {
  const { articleId } = useParams();
  const article = useArticle(articleId);
  const heading = articleId ? 'Edit article' : 'New article';
  return (
    <section aria-labelledby="article-heading">
      <p className={styles.back}>
        <Link to="../.." relative="path">
          ← Knowledge base
        </Link>
      </p>
      <h1 id="article-heading">{heading}</h1>
      {!articleId ? (
        <ArticleForm />
      ) : article.isPending ? (
        <Loading label="Loading the article…" />
      ) : article.isError ? (
        <ErrorState error={article.error} onRetry={() => void article.refetch()} />
      ) : (
        <ArticleForm key={article.data.id} article={article.data} />
      )}
    </section>
  );
}

function ArticleForm({ article }: { article?: Article }) {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const collections = useCollections();
  const create = useCreateArticle();
  const update = useUpdateArticle();
  const mutation = article ? update : create;
  const [title, setTitle] = useState(article?.title ?? '');
  const [body, setBody] = useState(article?.body ?? '');
  const [collectionId, setCollectionId] = useState(article?.collectionId ?? params.get('collection') ?? '');
  const [deleting, setDeleting] = useState(false);
  const { fields: errors, general: alert } = formErrorsOf(mutation.error, {
    title: 'Title',
    collectionId: 'Collection',
    body: 'Body',
  });
  const status = article?.status ?? 'draft';

  const save = (nextStatus: 'draft' | 'published') => {
    const fields = { title: title.trim(), body, collectionId: collectionId || null, status: nextStatus };
    const said =
      nextStatus === status || !article
        ? nextStatus === 'published'
          ? 'published'
          : 'saved'
        : nextStatus === 'published'
          ? 'published'
          : 'unpublished';
    if (article) {
      update.mutate(
        { id: article.id, body: fields },
        { onSuccess: (saved) => announce(`${saved.title} ${said}`) },
      );
    } else {
      create.mutate(fields, {
        onSuccess: (saved) => {
          announce(`${saved.title} ${said}`);
          void navigate(`../${saved.id}`, { relative: 'path', replace: true });
        },
      });
    }
  };

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        save(status);
      }}
    >
      <div className={styles.editorMeta}>
        <Field label="Title" error={errors.title} className={styles.titleField}>
          <input value={title} maxLength={300} onChange={(event) => setTitle(event.target.value)} />
        </Field>
        <Field label="Collection" error={errors.collectionId}>
          <select value={collectionId} onChange={(event) => setCollectionId(event.target.value)}>
            <option value="">No collection</option>
            {(collections.data ?? []).map((collection) => (
              <option key={collection.id} value={collection.id}>
                {collection.name}
              </option>
            ))}
          </select>
        </Field>
        <div className={styles.statusField}>
          <span className={styles.statusLabel}>Status</span>
          {status === 'published' ? <Badge tone="success">Published</Badge> : <Badge>Draft</Badge>}
        </div>
      </div>
      <div className={styles.editorGrid}>
        <Field
          label="Body (Markdown)"
          error={errors.body}
          hint="Headings (#), **bold**, lists, links and code."
        >
          <textarea
            className={styles.bodyInput}
            rows={20}
            value={body}
            onChange={(event) => setBody(event.target.value)}
          />
        </Field>
        <div className={styles.previewColumn}>
          <h2 className={styles.previewHeading} id="article-preview-heading">
            Preview
          </h2>
          <div className={styles.previewBox} role="region" aria-labelledby="article-preview-heading">
            <MarkdownPreview markdown={body} />
          </div>
        </div>
      </div>
      {alert ? (
        <p className="field-error" role="alert">
          {alert}
        </p>
      ) : null}
      <div className={styles.editorActions}>
        <Button type="submit" variant="primary" busy={mutation.isPending}>
          {article ? 'Save' : 'Save draft'}
        </Button>
        {status === 'draft' ? (
          <Button busy={mutation.isPending} onClick={() => save('published')}>
            {article ? 'Publish' : 'Save and publish'}
          </Button>
        ) : (
          <Button busy={mutation.isPending} onClick={() => save('draft')}>
            Unpublish
          </Button>
        )}
        {article ? (
          <Button variant="ghost" className={styles.deleteButton} onClick={() => setDeleting(true)}>
            Delete article
          </Button>
        ) : null}
      </div>
      <DeleteArticleDialog
        article={deleting && article ? article : null}
        onClose={() => setDeleting(false)}
        onDeleted={() => void navigate('../..', { relative: 'path' })}
      />
    </form>
  );
}
