import { useState } from 'react';
import { announce } from '../../../components/Announcer';
import { Button } from '../../../components/Button';
import { Dialog } from '../../../components/Dialog';
import { Field } from '../../../components/Field';
import { formErrorsOf } from '../../../lib/field-errors';
import { useCreateChannel, useUpdateChannel, type Channel, type UpdateChannelBody } from '../api/channels';
import styles from './ChannelsPage.module.css';

interface Props {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The channel to edit; none: a new email address. */
  channel?: Channel;
  /** A new channel's answer, which carries its inbound URL this once. */
  onCreated?: (channel: Channel) => void;
}

/** The fields the form shows errors next to, with their labels; the rest go to the alert. */
const FIELDS = {
  name: 'Name',
  address: 'Address',
  displayName: 'Sender name',
  smtp: 'SMTP server',
  smtpUrl: 'SMTP URL',
  'smtp.host': 'SMTP host',
  'smtp.port': 'SMTP port',
  'smtp.username': 'SMTP username',
  'smtp.password': 'SMTP password',
};

/** Create or change an email channel. The SMTP password is write-only: never shown, only replaced. */
export function EmailChannelDialog({ open, onOpenChange, channel, onCreated }: Props) {
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={channel ? `Edit ${channel.name}` : 'Add an email address'}
      description="Mail to this address opens and continues tickets; replies are sent from it."
      size="lg"
    >
      {open ? <EmailForm channel={channel} onDone={() => onOpenChange(false)} onCreated={onCreated} /> : null}
    </Dialog>
  );
}

function EmailForm({
  channel,
  onDone,
  onCreated,
}: {
  channel?: Channel;
  onDone: () => void;
  onCreated?: (channel: Channel) => void;
}) {
  const create = useCreateChannel();
  const update = useUpdateChannel();
  const mutation = channel ? update : create;
  const [name, setName] = useState(channel?.name ?? '');
  const [address, setAddress] = useState(channel?.address ?? '');
  const [displayName, setDisplayName] = useState(channel?.displayName ?? '');
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);
  const [ownSmtp, setOwnSmtp] = useState(Boolean(channel?.smtp));
  const [host, setHost] = useState(channel?.smtp?.host ?? '');
  const [port, setPort] = useState(channel?.smtp ? String(channel.smtp.port) : '587');
  const [secure, setSecure] = useState(channel?.smtp?.secure ?? false);
  const [username, setUsername] = useState(channel?.smtp?.username ?? '');
  const [password, setPassword] = useState('');
  // Editing sends the outbound server only when it was changed: a new one replaces the old whole.
  const [smtpTouched, setSmtpTouched] = useState(!channel);
  const touch =
    <T,>(setter: (value: T) => void) =>
    (value: T) => {
      setSmtpTouched(true);
      setter(value);
    };
  const { fields: errors, general: alert } = formErrorsOf(mutation.error, FIELDS);
  const hadPassword = Boolean(channel?.smtp?.username);

  const submit = () => {
    const body: UpdateChannelBody = {
      address: address.trim(),
      displayName: displayName.trim() || null,
      enabled,
    };
    if (name.trim()) body.name = name.trim();
    if (smtpTouched) {
      body.smtp = ownSmtp
        ? {
            host: host.trim(),
            ...(port.trim() ? { port: Number(port) } : {}),
            secure,
            ...(username.trim() ? { username: username.trim() } : {}),
            ...(password ? { password } : {}),
          }
        : null;
    }
    if (channel) {
      update.mutate(
        { id: channel.id, body },
        {
          onSuccess: (saved) => {
            announce(`${saved.name} saved`);
            onDone();
          },
        },
      );
    } else {
      create.mutate(
        { type: 'email', ...body },
        {
          onSuccess: (created) => {
            announce(`${created.name} added`);
            onDone();
            onCreated?.(created);
          },
        },
      );
    }
  };

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div className={styles.twoColumns}>
        <Field
          label="Address"
          error={errors.address}
          hint="Unique on this server, e.g. support@acme.example."
        >
          <input
            type="email"
            value={address}
            required
            autoComplete="off"
            onChange={(e) => setAddress(e.target.value)}
          />
        </Field>
        <Field label="Name" error={errors.name} hint="Shown to agents. Defaults to the address.">
          <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field
          label="Sender name"
          error={errors.displayName}
          hint='Replies come from this name, e.g. "Acme Support".'
        >
          <input value={displayName} maxLength={100} onChange={(e) => setDisplayName(e.target.value)} />
        </Field>
        <div className={styles.checkField}>
          <label className={styles.check}>
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
            Enabled
          </label>
          <p className="field-hint">A disabled channel takes no mail and sends no replies.</p>
        </div>
      </div>
      <fieldset className={styles.fieldset}>
        <legend>Outbound mail</legend>
        <label className={styles.check}>
          <input type="radio" name="smtp-mode" checked={!ownSmtp} onChange={() => touch(setOwnSmtp)(false)} />
          The server&apos;s SMTP server (SMTP_URL)
        </label>
        <label className={styles.check}>
          <input type="radio" name="smtp-mode" checked={ownSmtp} onChange={() => touch(setOwnSmtp)(true)} />
          This address&apos;s own SMTP server
        </label>
        {errors.smtp || errors.smtpUrl ? (
          <p className="field-error" role="alert">
            {errors.smtp ?? errors.smtpUrl}
          </p>
        ) : null}
        {ownSmtp ? (
          <div className={styles.twoColumns}>
            <Field label="SMTP host" error={errors['smtp.host']}>
              <input value={host} autoComplete="off" onChange={(e) => touch(setHost)(e.target.value)} />
            </Field>
            <Field label="SMTP port" error={errors['smtp.port']} hint="587 (STARTTLS) or 465 (TLS).">
              <input
                type="number"
                min={1}
                max={65535}
                value={port}
                onChange={(e) => touch(setPort)(e.target.value)}
              />
            </Field>
            <Field label="SMTP username" error={errors['smtp.username']}>
              <input
                value={username}
                autoComplete="off"
                onChange={(e) => touch(setUsername)(e.target.value)}
              />
            </Field>
            <Field
              label="SMTP password"
              error={errors['smtp.password']}
              hint={
                channel && hadPassword
                  ? 'Never shown. Changing the server? Enter the password again.'
                  : 'Never shown again once saved.'
              }
            >
              <input
                type="password"
                value={password}
                autoComplete="new-password"
                placeholder={channel && hadPassword && !smtpTouched ? '•••••••• (set)' : ''}
                onChange={(e) => touch(setPassword)(e.target.value)}
              />
            </Field>
            <label className={styles.check}>
              <input type="checkbox" checked={secure} onChange={(e) => touch(setSecure)(e.target.checked)} />
              TLS from the first byte (port 465)
            </label>
          </div>
        ) : null}
      </fieldset>
      {alert ? (
        <p className="field-error" role="alert">
          {alert}
        </p>
      ) : null}
      <div className="dialog-actions">
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" busy={mutation.isPending}>
          {channel ? 'Save' : 'Add address'}
        </Button>
      </div>
    </form>
  );
}
