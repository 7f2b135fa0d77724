/** Placeholder: replaced by the tickets feature. */
export function TicketPage() {
  return (
    <main id="main" className="page">
      <h1>Ticket</h1>
    </main>
  );
}
