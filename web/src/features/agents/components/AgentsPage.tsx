/** Placeholder: replaced by the agents feature. */
export function AgentsPage() {
  return (
    <section>
      <h1>Agents</h1>
    </section>
  );
}
