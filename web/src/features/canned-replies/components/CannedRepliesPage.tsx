/** Placeholder: replaced by the canned-replies feature. */
export function CannedRepliesPage() {
  return (
    <section>
      <h1>Canned replies</h1>
    </section>
  );
}
