/** Placeholder: replaced by the tags feature. */
export function TagsPage() {
  return (
    <section>
      <h1>Tags</h1>
    </section>
  );
}
