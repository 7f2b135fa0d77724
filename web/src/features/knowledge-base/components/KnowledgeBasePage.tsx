/** Placeholder: replaced by the knowledge-base feature. */
export function KnowledgeBasePage() {
  return (
    <section>
      <h1>Knowledge base</h1>
    </section>
  );
}
