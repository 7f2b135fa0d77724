import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { announce } from '../../../../components/Announcer';
import { Button } from '../../../../components/Button';
import { Dialog } from '../../../../components/Dialog';
import { Field } from '../../../../components/Field';
import { errorMessage, Loading } from '../../../../components/States';
import { useMergeInto, useTicketSearch, type TicketDetail } from '../../api/ticket';
import styles from './TicketPage.module.css';

/**
 * Merges this ticket into another: the API merges the body's sourceId into the path's ticket,
 * so this one goes in the body and the chosen ticket in the path. This one is then resolved
 * with mergedInto set, and the agent lands on the target.
 */
export function MergeDialog({
  ticket,
  open,
  onOpenChange,
}: {
  ticket: TicketDetail;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const [search, setSearch] = useState('');
  const [chosen, setChosen] = useState<{ id: string; code: string; subject: string } | null>(null);
  const results = useTicketSearch(search);
  const merge = useMergeInto(ticket.id);
  const navigate = useNavigate();
  const candidates = (results.data ?? []).filter(
    (candidate) => candidate.id !== ticket.id && candidate.mergedInto === null,
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!chosen) return;
    merge.mutate(chosen.id, {
      onSuccess: () => {
        announce(`${ticket.code} merged into ${chosen.code}`);
        onOpenChange(false);
        void navigate(`/tickets/${chosen.code}`);
      },
    });
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) {
          setSearch('');
          setChosen(null);
          merge.reset();
        }
        onOpenChange(next);
      }}
      title={`Merge ${ticket.code} into another ticket`}
      description="Its messages move to the ticket you choose, and this ticket is resolved."
    >
      <form onSubmit={submit}>
        <Field label="Find the ticket to merge into" hint="Search by code (e.g. ACME-42) or words">
          <input
            type="search"
            value={search}
            autoComplete="off"
            onChange={(event) => {
              setSearch(event.target.value);
              setChosen(null);
            }}
          />
        </Field>
        {search.trim() === '' ? null : results.isPending ? (
          <Loading label="Searching…" />
        ) : results.isError ? (
          <p role="alert" className={styles.controlError}>
            {errorMessage(results.error)}
          </p>
        ) : candidates.length === 0 ? (
          <p className={styles.muted} role="status">
            No tickets match.
          </p>
        ) : (
          <fieldset className={styles.mergeList}>
            <legend className="visually-hidden">Tickets</legend>
            {candidates.map((candidate) => (
              <label key={candidate.id} className={styles.mergeOption}>
                <input
                  type="radio"
                  name="merge-target"
                  checked={chosen?.id === candidate.id}
                  onChange={() => setChosen(candidate)}
                />
                <span className={styles.code}>{candidate.code}</span>
                <span className={styles.mergeSubject}>{candidate.subject}</span>
              </label>
            ))}
          </fieldset>
        )}
        {merge.isError ? (
          <p role="alert" className={styles.controlError}>
            The tickets were not merged: {errorMessage(merge.error)}
          </p>
        ) : null}
        <div className="dialog-actions">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={!chosen} busy={merge.isPending}>
            {chosen ? `Merge into ${chosen.code}` : 'Merge'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
