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
  channel?: Channel;
}

/** Connect or change a Telegram bot. Its token is write-only: the API says only that one is set. */
export function TelegramChannelDialog({ open, onOpenChange, channel }: Props) {
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={channel ? `Edit ${channel.name}` : 'Connect a Telegram bot'}
      description="Messages to the bot open and continue tickets; replies go back through it."
    >
      {open ? <TelegramForm channel={channel} onDone={() => onOpenChange(false)} /> : null}
    </Dialog>
  );
}

function TelegramForm({ channel, onDone }: { channel?: Channel; onDone: () => void }) {
  const create = useCreateChannel();
  const update = useUpdateChannel();
  const mutation = channel ? update : create;
  const [name, setName] = useState(channel?.name ?? '');
  const [botToken, setBotToken] = useState('');
  const [mode, setMode] = useState<'webhook' | 'polling'>(channel?.mode ?? 'webhook');
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);
  const { fields: errors, general: alert } = formErrorsOf(mutation.error, {
    name: 'Name',
    botToken: 'Bot token',
    mode: 'Updates',
  });

  const submit = () => {
    const body: UpdateChannelBody = { mode, enabled };
    if (name.trim()) body.name = name.trim();
    if (botToken.trim()) body.botToken = botToken.trim();
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
        { type: 'telegram', ...body },
        {
          onSuccess: (created) => {
            announce(`${created.name} connected`);
            onDone();
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
      <Field
        label={channel ? 'New bot token' : 'Bot token'}
        error={errors.botToken}
        hint={
          channel
            ? 'A token is set and is never shown. Leave this empty to keep it.'
            : 'From @BotFather, e.g. 123456789:AAH…. Stored encrypted and never shown again.'
        }
      >
        <input
          type="password"
          value={botToken}
          autoComplete="off"
          spellCheck={false}
          required={!channel}
          onChange={(e) => setBotToken(e.target.value)}
        />
      </Field>
      <Field label="Name" error={errors.name} hint="Shown to agents. Defaults to the bot's @username.">
        <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field
        label="Updates"
        error={errors.mode}
        hint="Webhook needs this server reachable over public HTTPS; polling works behind NAT."
      >
        <select value={mode} onChange={(e) => setMode(e.target.value as 'webhook' | 'polling')}>
          <option value="webhook">Webhook (Telegram posts to this server)</option>
          <option value="polling">Polling (this server asks Telegram)</option>
        </select>
      </Field>
      <label className={styles.check}>
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        Enabled
      </label>
      {alert ? (
        <p className="field-error" role="alert">
          {alert}
        </p>
      ) : null}
      <div className="dialog-actions">
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" busy={mutation.isPending}>
          {channel ? 'Save' : 'Connect bot'}
        </Button>
      </div>
    </form>
  );
}
