import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { Button } from '../../../components/Button';
import { Dialog } from '../../../components/Dialog';
import { Field } from '../../../components/Field';
import { errorMessage } from '../../../components/States';
import { login, onSessionExpired } from '../../../lib/api-client';
import { clearSession, getSession } from '../../../lib/session';

/**
 * When the session can no longer be renewed, sign in again over the current screen: nothing
 * unmounts, so a half-written reply stays where it is (and in its saved draft).
 */
export function SessionExpiredDialog() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(
    () =>
      onSessionExpired(() => {
        setEmail(getSession()?.agent.email ?? '');
        setPassword('');
        setError(null);
        setOpen(true);
      }),
    [],
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(email.trim(), password);
      setOpen(false);
      // What failed while signed out is fetched again, so no screen is left showing the error.
      void queryClient.invalidateQueries();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        // Closing without signing in leaves: the screen can't work without a session.
        if (!next) {
          clearSession();
          void navigate('/login');
        }
        setOpen(next);
      }}
      title="Your session has expired"
      description="Sign in again to carry on. Your drafts are kept."
    >
      <form onSubmit={(event) => void submit(event)}>
        <Field label="Email">
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </Field>
        <Field label="Password">
          <input
            type="password"
            autoComplete="current-password"
            required
            autoFocus
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="dialog-actions">
          <Button type="submit" variant="primary" busy={busy}>
            Sign in again
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
