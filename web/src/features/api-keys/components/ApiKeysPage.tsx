/** Placeholder: replaced by the api-keys feature. */
export function ApiKeysPage() {
  return (
    <section>
      <h1>API keys</h1>
    </section>
  );
}
