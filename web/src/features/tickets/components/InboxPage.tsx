/** Placeholder: replaced by the tickets feature. */
export function InboxPage() {
  return (
    <main id="main" className="page">
      <h1>Inbox</h1>
    </main>
  );
}
