/** Placeholder: replaced by the channels feature. */
export function WidgetPage() {
  return (
    <section>
      <h1>Chat widget</h1>
    </section>
  );
}
