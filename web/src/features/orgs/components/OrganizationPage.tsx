/** Placeholder: replaced by the orgs feature. */
export function OrganizationPage() {
  return (
    <section>
      <h1>Organization</h1>
    </section>
  );
}
