import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { useMemo } from 'react';
import styles from './KnowledgeBasePage.module.css';

/** Markdown as customers will read it: rendered, then sanitised (no scripts, handlers or styles). */
export function MarkdownPreview({ markdown, id }: { markdown: string; id?: string }) {
  const html = useMemo(
    () =>
      DOMPurify.sanitize(marked.parse(markdown, { async: false, gfm: true }), {
        FORBID_TAGS: ['style'],
        FORBID_ATTR: ['style'],
      }),
    [markdown],
  );
  return markdown.trim() ? (
    <div id={id} className={styles.markdown} dangerouslySetInnerHTML={{ __html: html }} />
  ) : (
    <p id={id} className={styles.previewEmpty}>
      Nothing to preview yet.
    </p>
  );
}
