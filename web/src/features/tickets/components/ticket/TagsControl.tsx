import { useId } from 'react';
import type { Tag, TicketDetail, TicketUpdate } from '../../api/ticket';
import styles from './TicketPage.module.css';

/** The ticket's tags (with their colours) and a picker of the org's other tags. */
export function TagsControl({
  ticket,
  tags,
  onChange,
}: {
  ticket: TicketDetail;
  tags: Tag[] | undefined;
  onChange: (patch: TicketUpdate) => void;
}) {
  const id = useId();
  const colourOf = (name: string) => tags?.find((tag) => tag.name === name)?.color ?? null;
  const available = (tags ?? []).filter((tag) => !ticket.tags.includes(tag.name));
  return (
    <section className={styles.sidePanel} aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} className={styles.sideHeading}>
        Tags
      </h2>
      {ticket.tags.length === 0 ? <p className={styles.muted}>No tags.</p> : null}
      <ul className={styles.tags} aria-label="Ticket tags">
        {ticket.tags.map((name) => (
          <li key={name} className={styles.tag}>
            <span
              className={styles.tagDot}
              style={{ background: colourOf(name) ?? '#8b939e' }}
              aria-hidden="true"
            />
            {name}
            <button
              type="button"
              className={styles.tagRemove}
              aria-label={`Remove tag ${name}`}
              onClick={() => onChange({ tags: ticket.tags.filter((tag) => tag !== name) })}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <label htmlFor={`${id}-add`} className="visually-hidden">
        Add tag
      </label>
      <select
        id={`${id}-add`}
        className={styles.addTag}
        value=""
        disabled={available.length === 0}
        onChange={(event) => {
          if (event.target.value) onChange({ tags: [...ticket.tags, event.target.value] });
        }}
      >
        <option value="">{available.length === 0 ? 'No more tags' : 'Add tag…'}</option>
        {available.map((tag) => (
          <option key={tag.id} value={tag.name}>
            {tag.name}
          </option>
        ))}
      </select>
    </section>
  );
}
