import { useState, type FormEvent } from 'react';
import { announce } from '../../../components/Announcer';
import { Button } from '../../../components/Button';
import { Field } from '../../../components/Field';
import { ErrorState, Loading, errorMessage } from '../../../components/States';
import { newIdempotencyKey } from '../../../lib/ids';
import { useRequiredSession } from '../../../lib/use-session';
import {
  formatMinutes,
  parseDuration,
  useAddTimeEntry,
  useDeleteTimeEntry,
  useTimeEntries,
  useUpdateTimeEntry,
  type TimeEntry,
} from '../api/time-entries';
import styles from './TimeEntries.module.css';

interface Props {
  ticketId: string;
  totalMinutes: number;
  agentName: (id: string | null) => string;
}

/** Time logged on the ticket: the list, a form to add, and edit/delete of one's own entries. */
export function TimeEntries({ ticketId, totalMinutes, agentName }: Props) {
  const entries = useTimeEntries(ticketId);
  return (
    <section className={styles.panel} aria-labelledby="time-heading">
      <h2 id="time-heading" className={styles.heading}>
        Time spent <span className={styles.total}>{formatMinutes(totalMinutes)}</span>
      </h2>
      {entries.isPending ? (
        <Loading label="Loading time entries…" />
      ) : entries.isError ? (
        <ErrorState
          error={entries.error}
          onRetry={() => void entries.refetch()}
          title="Time entries not loaded"
        />
      ) : entries.data.data.length === 0 ? (
        <p className={styles.empty}>No time logged yet.</p>
      ) : (
        <ul className={styles.list} aria-label="Time entries">
          {entries.data.data.map((entry) => (
            <EntryRow key={entry.id} ticketId={ticketId} entry={entry} agentName={agentName} />
          ))}
        </ul>
      )}
      <AddEntryForm ticketId={ticketId} />
    </section>
  );
}

function EntryRow({
  ticketId,
  entry,
  agentName,
}: {
  ticketId: string;
  entry: TimeEntry;
  agentName: Props['agentName'];
}) {
  const session = useRequiredSession();
  const own = entry.agentId === session.agent.id;
  const [editing, setEditing] = useState(false);
  const remove = useDeleteTimeEntry(ticketId);
  if (editing) return <EditEntryForm ticketId={ticketId} entry={entry} onDone={() => setEditing(false)} />;
  return (
    <li className={styles.entry}>
      <div className={styles.entryMain}>
        <span className={styles.minutes}>{formatMinutes(entry.minutes)}</span>
        <span className={styles.meta}>
          {agentName(entry.agentId)} · {entry.date}
        </span>
      </div>
      {entry.note ? <p className={styles.note}>{entry.note}</p> : null}
      {own ? (
        <div className={styles.actions}>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => setEditing(true)}
            aria-label={`Edit ${formatMinutes(entry.minutes)} entry`}
          >
            Edit
          </Button>
          <Button
            size="sm"
            variant="ghost"
            busy={remove.isPending}
            aria-label={`Delete ${formatMinutes(entry.minutes)} entry`}
            onClick={() => remove.mutate(entry.id, { onSuccess: () => announce('Time entry deleted') })}
          >
            Delete
          </Button>
        </div>
      ) : null}
      {remove.isError ? (
        <p role="alert" className={styles.error}>
          {errorMessage(remove.error)}
        </p>
      ) : null}
    </li>
  );
}

function EditEntryForm({
  ticketId,
  entry,
  onDone,
}: {
  ticketId: string;
  entry: TimeEntry;
  onDone: () => void;
}) {
  const [duration, setDuration] = useState(formatMinutes(entry.minutes));
  const [note, setNote] = useState(entry.note ?? '');
  const [error, setError] = useState<string | null>(null);
  const update = useUpdateTimeEntry(ticketId);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const minutes = parseDuration(duration);
    if (minutes === null || minutes < 1 || minutes > 1440) {
      setError('Enter a duration between 1m and 24h, e.g. 45m or 1h 30m');
      return;
    }
    setError(null);
    update.mutate(
      { entryId: entry.id, body: { minutes, note: note.trim() === '' ? null : note } },
      {
        onSuccess: () => {
          announce('Time entry updated');
          onDone();
        },
      },
    );
  };
  return (
    <li className={styles.entry}>
      <form onSubmit={submit} aria-label="Edit time entry">
        <Field label="Duration" error={error}>
          <input value={duration} onChange={(event) => setDuration(event.target.value)} />
        </Field>
        <Field label="Note">
          <input value={note} onChange={(event) => setNote(event.target.value)} />
        </Field>
        {update.isError ? (
          <p role="alert" className={styles.error}>
            {errorMessage(update.error)}
          </p>
        ) : null}
        <div className={styles.actions}>
          <Button size="sm" variant="primary" type="submit" busy={update.isPending}>
            Save
          </Button>
          <Button size="sm" onClick={onDone}>
            Cancel
          </Button>
        </div>
      </form>
    </li>
  );
}

function AddEntryForm({ ticketId }: { ticketId: string }) {
  const [duration, setDuration] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = useAddTimeEntry(ticketId);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const minutes = parseDuration(duration);
    if (minutes === null || minutes < 1 || minutes > 1440) {
      setError('Enter a duration between 1m and 24h, e.g. 45m or 1h 30m');
      return;
    }
    setError(null);
    add.mutate(
      { body: { minutes, note: note.trim() === '' ? null : note }, idempotencyKey: newIdempotencyKey() },
      {
        onSuccess: () => {
          setDuration('');
          setNote('');
          announce(`Logged ${formatMinutes(minutes)}`);
        },
      },
    );
  };
  return (
    <form className={styles.add} onSubmit={submit} aria-label="Log time">
      <div className={styles.addRow}>
        <Field label="Duration" hint="45m, 1h 30m" error={error} className={styles.duration}>
          <input value={duration} onChange={(event) => setDuration(event.target.value)} />
        </Field>
        <Field label="Note" className={styles.noteField}>
          <input value={note} onChange={(event) => setNote(event.target.value)} />
        </Field>
      </div>
      {add.isError ? (
        <p role="alert" className={styles.error}>
          {errorMessage(add.error)}
        </p>
      ) : null}
      <Button type="submit" size="sm" busy={add.isPending}>
        Log time
      </Button>
    </form>
  );
}
