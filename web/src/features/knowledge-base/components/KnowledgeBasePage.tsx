import { Route, Routes } from 'react-router';
import { ArticleEditor } from './ArticleEditor';
import { KnowledgeBaseHome } from './KnowledgeBaseHome';

/** Admin: the knowledge base. `/admin/knowledge-base` lists; `articles/new` and `articles/:id` edit. */
export function KnowledgeBasePage() {
  return (
    <Routes>
      <Route index element={<KnowledgeBaseHome />} />
      <Route path="articles/new" element={<ArticleEditor />} />
      <Route path="articles/:articleId" element={<ArticleEditor />} />
      <Route
        path="*"
        element={
          <section>
            <h1>Knowledge base</h1>
            <p>There is no such page in the knowledge base.</p>
          </section>
        }
      />
    </Routes>
  );
}
