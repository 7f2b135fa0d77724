import { useState, type FormEvent } from 'react';
import { announce } from '../../../components/Announcer';
import { Button } from '../../../components/Button';
import { CopyButton } from '../../../components/CopyButton';
import { Dialog } from '../../../components/Dialog';
import { Field } from '../../../components/Field';
import { formErrorsOf, NO_FORM_ERRORS, type FormErrors } from '../../../lib/field-errors';
import { newIdempotencyKey } from '../../../lib/ids';
import { useCreateApiKey, type CreatedApiKey } from '../api/api-keys';
import styles from './ApiKeysPage.module.css';

const FIELDS = { name: 'Name', scope: 'Scope', rateLimit: 'Rate limit' };

/** Create a key, then show its secret this once: closing the dialog forgets it. */
export function CreateApiKeyDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<'read' | 'write'>('write');
  const [rateLimit, setRateLimit] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  // One key per attempt: a double submit or retry of the same form must not make two keys.
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);

  const reset = () => {
    setName('');
    setScope('write');
    setRateLimit('');
    setErrors(NO_FORM_ERRORS);
    setCreated(null);
    setIdempotencyKey(newIdempotencyKey());
    create.reset();
  };
  const change = (next: boolean) => {
    if (!next) reset();
    onOpenChange(next);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors(NO_FORM_ERRORS);
    const limit = rateLimit.trim();
    if (limit !== '' && !/^\d+$/.test(limit)) {
      setErrors({
        fields: { rateLimit: 'Rate limit must be a whole number (0 = unlimited)' },
        general: null,
      });
      return;
    }
    try {
      const key = await create.mutateAsync({
        body: { name: name.trim(), scope, rateLimit: limit === '' ? null : Number(limit) },
        idempotencyKey,
      });
      setCreated(key);
      announce(`API key ${key.name} created`);
    } catch (caught) {
      setErrors(formErrorsOf(caught, FIELDS));
    }
  };

  if (created) {
    return (
      <Dialog
        open={open}
        onOpenChange={change}
        title="Copy your new API key"
        description={`Key “${created.name}” is ready.`}
      >
        <p className={styles.warning} role="note">
          <strong>You won’t see this key again.</strong> Copy it now and keep it somewhere safe: Talki stores
          only a hash of it. If you lose it, revoke it and create another.
        </p>
        <div className={styles.secretRow}>
          <label htmlFor="new-api-key-secret" className="visually-hidden">
            Secret key
          </label>
          <input
            id="new-api-key-secret"
            className={styles.secret}
            readOnly
            value={created.key}
            onFocus={(event) => event.currentTarget.select()}
          />
          <CopyButton text={created.key} what="secret key" />
        </div>
        <div className="dialog-actions">
          <Button variant="primary" onClick={() => change(false)}>
            Done
          </Button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog
      open={open}
      onOpenChange={change}
      title="Create API key"
      description="A secret key lets a server call the Talki REST API as this organization."
    >
      <form onSubmit={(event) => void submit(event)} noValidate>
        {errors.general ? (
          <p className={styles.alert} role="alert">
            {errors.general}
          </p>
        ) : null}
        <Field label="Name" hint="What the key is for, e.g. “Zapier integration”." error={errors.fields.name}>
          <input
            value={name}
            onChange={(event) => setName(event.target.value)}
            maxLength={100}
            required
            autoFocus
          />
        </Field>
        <fieldset className={styles.scope} aria-describedby="api-key-scope-hint">
          <legend>Scope</legend>
          <label>
            <input
              type="radio"
              name="scope"
              value="read"
              checked={scope === 'read'}
              onChange={() => setScope('read')}
            />
            Read — GET requests only
          </label>
          <label>
            <input
              type="radio"
              name="scope"
              value="write"
              checked={scope === 'write'}
              onChange={() => setScope('write')}
            />
            Write — every request, with admin rights
          </label>
          <p id="api-key-scope-hint" className="field-hint">
            Give a key the least it needs: reporting tools only read.
          </p>
          {errors.fields.scope ? (
            <p className="field-error" role="alert">
              {errors.fields.scope}
            </p>
          ) : null}
        </fieldset>
        <Field
          label="Rate limit (requests per minute)"
          hint="Leave empty for the organization’s default; 0 means unlimited."
          error={errors.fields.rateLimit}
        >
          <input
            inputMode="numeric"
            value={rateLimit}
            onChange={(event) => setRateLimit(event.target.value)}
            placeholder="Organization default"
          />
        </Field>
        <div className="dialog-actions">
          <Button onClick={() => change(false)}>Cancel</Button>
          <Button type="submit" variant="primary" busy={create.isPending}>
            Create key
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
