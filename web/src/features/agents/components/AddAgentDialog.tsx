import { useState, type FormEvent } from 'react';
import { announce } from '../../../components/Announcer';
import { Button } from '../../../components/Button';
import { Dialog } from '../../../components/Dialog';
import { Field } from '../../../components/Field';
import { formErrorsOf, NO_FORM_ERRORS, type FormErrors } from '../../../lib/field-errors';
import { newIdempotencyKey } from '../../../lib/ids';
import { useCreateAgent } from '../api/agents-admin';
import styles from './AgentsPage.module.css';

const FIELDS = { email: 'Email', name: 'Name', role: 'Role', password: 'Password' };

/**
 * Adds a person by email. A new email gets a login at once; an email that already has a Talki
 * login gets an invitation instead, and the API answers both the same, so the form says so.
 */
export function AddAgentDialog({ onClose }: { onClose: () => void }) {
  const create = useCreateAgent();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<'agent' | 'admin'>('agent');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const [idempotencyKey] = useState(newIdempotencyKey);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors(NO_FORM_ERRORS);
    if (password !== '' && password.length < 8) {
      setErrors({ fields: { password: 'Password must be at least 8 characters' }, general: null });
      return;
    }
    try {
      const agent = await create.mutateAsync({
        body: {
          email: email.trim(),
          role,
          ...(name.trim() ? { name: name.trim() } : {}),
          ...(password ? { password } : {}),
        },
        idempotencyKey,
      });
      announce(`${agent.name} added`);
      onClose();
    } catch (caught) {
      setErrors(formErrorsOf(caught, FIELDS));
    }
  };

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title="Add agent"
      description="Someone new to Talki gets a login now. Someone who already has a Talki login (in another organization) gets an invitation, and joins when they accept it."
    >
      <form onSubmit={(event) => void submit(event)} noValidate>
        {errors.general ? (
          <p className={styles.alert} role="alert">
            {errors.general}
          </p>
        ) : null}
        <Field label="Email" error={errors.fields.email}>
          <input
            type="email"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            required
            maxLength={254}
            autoComplete="off"
            autoFocus
          />
        </Field>
        <Field
          label="Name"
          hint="Optional: defaults to the part of the email before @."
          error={errors.fields.name}
        >
          <input
            value={name}
            onChange={(event) => setName(event.target.value)}
            maxLength={200}
            autoComplete="off"
          />
        </Field>
        <Field
          label="Role"
          hint="Admins manage API keys, agents and settings; agents work on tickets."
          error={errors.fields.role}
        >
          <select value={role} onChange={(event) => setRole(event.target.value as 'agent' | 'admin')}>
            <option value="agent">Agent</option>
            <option value="admin">Admin</option>
          </select>
        </Field>
        <Field
          label="Password"
          hint="Optional, at least 8 characters. Ignored for someone who already has a login: their password never changes."
          error={errors.fields.password}
        >
          <input
            type="password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            autoComplete="new-password"
          />
        </Field>
        <div className="dialog-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Add agent
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
