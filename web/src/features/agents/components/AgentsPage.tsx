import { useState } from 'react';
import { announce } from '../../../components/Announcer';
import { Badge } from '../../../components/Badge';
import { Button } from '../../../components/Button';
import { ConfirmActionDialog } from '../../../components/ConfirmActionDialog';
import { EmptyState, ErrorState, Loading, errorMessage } from '../../../components/States';
import screen from '../../../components/AdminScreen.module.css';
import { refreshAccessToken } from '../../../lib/api-client';
import { formatDate } from '../../../lib/format-date';
import { useRequiredSession } from '../../../lib/use-session';
import {
  useAgentList,
  useRemoveAgent,
  useSetAgentActive,
  useUpdateAgent,
  type Agent,
} from '../api/agents-admin';
import { AddAgentDialog } from './AddAgentDialog';
import styles from './AgentsPage.module.css';

type Pending =
  | { kind: 'remove'; agent: Agent }
  | { kind: 'deactivate'; agent: Agent }
  | { kind: 'demote-self'; agent: Agent }
  | null;

export function AgentsPage() {
  const session = useRequiredSession();
  const agents = useAgentList();
  const update = useUpdateAgent();
  const setActive = useSetAgentActive();
  const remove = useRemoveAgent();
  const [adding, setAdding] = useState(false);
  const [pending, setPending] = useState<Pending>(null);
  // A refusal of an inline change (the last admin, say), shown above the list.
  const [rowError, setRowError] = useState<string | null>(null);
  const isMe = (agent: Agent) => agent.id === session.agent.id;

  const changeRole = async (agent: Agent, role: Agent['role']) => {
    setRowError(null);
    try {
      const saved = await update.mutateAsync({ id: agent.id, body: { role } });
      announce(`${saved.name} is now ${saved.role === 'admin' ? 'an admin' : 'an agent'}`);
    } catch (caught) {
      setRowError(`${agent.name}’s role was not changed: ${errorMessage(caught)}`);
    }
  };
  const reactivate = async (agent: Agent) => {
    setRowError(null);
    try {
      await setActive.mutateAsync({ id: agent.id, active: true });
      announce(`${agent.name} reactivated`);
    } catch (caught) {
      setRowError(`${agent.name} was not reactivated: ${errorMessage(caught)}`);
    }
  };

  const list = agents.data?.data ?? [];
  return (
    <section aria-labelledby="agents-title">
      <div className={screen.header}>
        <div>
          <h1 id="agents-title">Agents</h1>
          <p className={screen.lead}>
            The people who answer tickets in this organization. Deactivated agents can’t sign in here or be
            assigned tickets; their messages stay.
          </p>
        </div>
        <Button variant="primary" onClick={() => setAdding(true)}>
          Add agent
        </Button>
      </div>
      {rowError ? (
        <div className={styles.alert} role="alert">
          <span>{rowError}</span>
          <Button size="sm" variant="ghost" onClick={() => setRowError(null)}>
            Dismiss
          </Button>
        </div>
      ) : null}
      <div className={screen.card}>
        {agents.isPending ? (
          <Loading label="Loading agents…" />
        ) : agents.isError ? (
          <ErrorState error={agents.error} onRetry={() => void agents.refetch()} />
        ) : list.length === 0 ? (
          <EmptyState title="No agents yet" />
        ) : (
          <table className="data">
            <caption className="visually-hidden">Agents</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Added</th>
                <th scope="col" className={screen.actionsHead}>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((agent) => (
                <tr key={agent.id} className={agent.active ? undefined : styles.inactive}>
                  <th scope="row">
                    {agent.name}
                    {isMe(agent) ? <span className={styles.you}>(you)</span> : null}
                  </th>
                  <td>{agent.email}</td>
                  <td>
                    <select
                      className={styles.roleSelect}
                      aria-label={`Role of ${agent.name}`}
                      value={agent.role}
                      disabled={update.isPending && update.variables.id === agent.id}
                      onChange={(event) => {
                        const role = event.target.value as Agent['role'];
                        if (isMe(agent) && role === 'agent') setPending({ kind: 'demote-self', agent });
                        else void changeRole(agent, role);
                      }}
                    >
                      <option value="agent">Agent</option>
                      <option value="admin">Admin</option>
                    </select>
                  </td>
                  <td>{agent.active ? <Badge tone="success">Active</Badge> : <Badge>Deactivated</Badge>}</td>
                  <td className={screen.nowrap}>{formatDate(agent.createdAt)}</td>
                  <td>
                    <div className={screen.actions}>
                      {agent.active ? (
                        <Button
                          size="sm"
                          onClick={() => setPending({ kind: 'deactivate', agent })}
                          aria-label={`Deactivate ${agent.name}`}
                        >
                          Deactivate
                        </Button>
                      ) : (
                        <Button
                          size="sm"
                          busy={setActive.isPending && setActive.variables.id === agent.id}
                          onClick={() => void reactivate(agent)}
                          aria-label={`Reactivate ${agent.name}`}
                        >
                          Reactivate
                        </Button>
                      )}
                      <Button
                        size="sm"
                        onClick={() => setPending({ kind: 'remove', agent })}
                        aria-label={`Remove ${agent.name}`}
                      >
                        Remove
                      </Button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <p className={screen.muted}>
        People who already had a Talki login appear here as soon as they are invited, and can act here once
        they accept.
      </p>

      {adding ? <AddAgentDialog onClose={() => setAdding(false)} /> : null}
      <PendingDialog
        pending={pending}
        isMe={pending ? isMe(pending.agent) : false}
        onClose={() => setPending(null)}
        onConfirm={async (action) => {
          const { agent } = action;
          if (action.kind === 'remove') {
            await remove.mutateAsync(agent.id);
            announce(`${agent.name} removed from the organization`);
          } else if (action.kind === 'deactivate') {
            await setActive.mutateAsync({ id: agent.id, active: false });
            announce(`${agent.name} deactivated`);
          } else {
            const saved = await update.mutateAsync({ id: agent.id, body: { role: 'agent' } });
            announce(`${saved.name} is now an agent`);
            // The session still says admin: a fresh token pair carries the new role.
            await refreshAccessToken().catch(() => undefined);
          }
        }}
      />
    </section>
  );
}

const TEXT = {
  remove: {
    title: (agent: Agent) => `Remove ${agent.name} from the organization?`,
    confirm: 'Remove agent',
    body: (agent: Agent, me: boolean) =>
      me
        ? 'You will lose access to this organization. Your login and other organizations stay.'
        : `${agent.email} leaves this organization (or their invitation is withdrawn). Their login, other organizations, messages and assignments here stay.`,
  },
  deactivate: {
    title: (agent: Agent) => `Deactivate ${agent.name}?`,
    confirm: 'Deactivate',
    body: (_agent: Agent, me: boolean) =>
      me
        ? 'You will be signed out of this organization at once, until another admin reactivates you.'
        : 'They can no longer sign in to this organization or be assigned tickets. You can reactivate them later.',
  },
  'demote-self': {
    title: () => 'Give up your admin role?',
    confirm: 'Make me an agent',
    body: () => 'You will no longer see the Admin screens. Only another admin can make you an admin again.',
  },
} as const;

function PendingDialog({
  pending,
  isMe,
  onClose,
  onConfirm,
}: {
  pending: Pending;
  isMe: boolean;
  onClose: () => void;
  onConfirm: (action: NonNullable<Pending>) => Promise<void>;
}) {
  const text = pending ? TEXT[pending.kind] : null;
  return (
    <ConfirmActionDialog
      open={pending !== null}
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={pending && text ? text.title(pending.agent) : ''}
      confirmLabel={text?.confirm ?? ''}
      onConfirm={() => (pending ? onConfirm(pending) : Promise.resolve())}
    >
      {pending && text ? text.body(pending.agent, isMe) : null}
    </ConfirmActionDialog>
  );
}
