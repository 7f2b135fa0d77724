/** Placeholder: replaced by the channels feature. */
export function ChannelsPage() {
  return (
    <section>
      <h1>Email &amp; Telegram</h1>
    </section>
  );
}
