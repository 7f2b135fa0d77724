import { useState } from 'react';
import { announce } from '../../../components/Announcer';
import { Badge } from '../../../components/Badge';
import { Button } from '../../../components/Button';
import { Dialog } from '../../../components/Dialog';
import { EmptyState, ErrorState, Loading, errorMessage } from '../../../components/States';
import { useChannels, useDeleteChannel, useRotateInboundToken, type Channel } from '../api/channels';
import { EmailChannelDialog } from './EmailChannelDialog';
import { SecretDialog } from './SecretDialog';
import { TelegramChannelDialog } from './TelegramChannelDialog';
import styles from './ChannelsPage.module.css';

type Editing = { kind: 'email' | 'telegram'; channel?: Channel } | null;

/** Admin: the org's email addresses and Telegram bots. */
export function ChannelsPage() {
  const channels = useChannels();
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Channel | null>(null);
  const [rotating, setRotating] = useState<Channel | null>(null);
  const [inbound, setInbound] = useState<{ title: string; url: string } | null>(null);

  return (
    <section aria-labelledby="channels-heading">
      <div className={styles.header}>
        <div>
          <h1 id="channels-heading">Email &amp; Telegram</h1>
          <p className={styles.lead}>
            Addresses and bots customers write to. Every message becomes a ticket in the inbox.
          </p>
        </div>
        <div className={styles.headerActions}>
          <Button variant="primary" onClick={() => setEditing({ kind: 'email' })}>
            Add email address
          </Button>
          <Button onClick={() => setEditing({ kind: 'telegram' })}>Connect Telegram bot</Button>
        </div>
      </div>

      {channels.isPending ? (
        <Loading label="Loading channels…" />
      ) : channels.isError ? (
        <ErrorState error={channels.error} onRetry={() => void channels.refetch()} />
      ) : channels.data.length === 0 ? (
        <EmptyState title="No email addresses or Telegram bots yet">
          <p>Add a support address or connect a bot, and their messages arrive in the inbox.</p>
        </EmptyState>
      ) : (
        <table className="data">
          <caption className="visually-hidden">Email and Telegram channels</caption>
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Type</th>
              <th scope="col">Details</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {channels.data.map((channel) => (
              <tr key={channel.id}>
                <td>
                  <div className={styles.name}>{channel.name}</div>
                  <div className={styles.sub}>
                    {channel.type === 'email'
                      ? channel.address
                      : channel.botUsername
                        ? `@${channel.botUsername}`
                        : 'Telegram bot'}
                  </div>
                </td>
                <td>{channel.type === 'email' ? 'Email' : 'Telegram'}</td>
                <td className={styles.details}>
                  <ChannelDetails channel={channel} />
                </td>
                <td>
                  <ChannelState channel={channel} />
                </td>
                <td className={styles.rowActions}>
                  <Button
                    size="sm"
                    aria-label={`Edit ${channel.name}`}
                    onClick={() =>
                      setEditing({ kind: channel.type === 'email' ? 'email' : 'telegram', channel })
                    }
                  >
                    Edit
                  </Button>
                  {channel.type === 'email' ? (
                    <Button
                      size="sm"
                      aria-label={`New inbound URL for ${channel.name}`}
                      onClick={() => setRotating(channel)}
                    >
                      New inbound URL
                    </Button>
                  ) : null}
                  <Button
                    size="sm"
                    variant="ghost"
                    aria-label={`Delete ${channel.name}`}
                    onClick={() => setDeleting(channel)}
                  >
                    Delete
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <EmailChannelDialog
        open={editing?.kind === 'email'}
        onOpenChange={(open) => (open ? undefined : setEditing(null))}
        channel={editing?.kind === 'email' ? editing.channel : undefined}
        onCreated={(created) =>
          created.inboundUrl
            ? setInbound({ title: `${created.name} is ready`, url: created.inboundUrl })
            : undefined
        }
      />
      <TelegramChannelDialog
        open={editing?.kind === 'telegram'}
        onOpenChange={(open) => (open ? undefined : setEditing(null))}
        channel={editing?.kind === 'telegram' ? editing.channel : undefined}
      />
      <DeleteChannelDialog channel={deleting} onClose={() => setDeleting(null)} />
      <RotateInboundDialog
        channel={rotating}
        onClose={() => setRotating(null)}
        onRotated={(channel) => {
          setRotating(null);
          if (channel.inboundUrl)
            setInbound({ title: `New inbound URL for ${channel.name}`, url: channel.inboundUrl });
        }}
      />
      <SecretDialog
        open={inbound !== null}
        onClose={() => setInbound(null)}
        title={inbound?.title ?? ''}
        what="inbound URL"
        value={inbound?.url ?? ''}
      >
        <p className="field-hint">
          Mail services and MTAs POST raw mail (RFC 822) here. The URL is the credential: keep it private.
          With the server&apos;s SMTP listener on, mail to the address arrives without it.
        </p>
      </SecretDialog>
    </section>
  );
}

function ChannelDetails({ channel }: { channel: Channel }) {
  if (channel.type === 'email') {
    return channel.smtp ? (
      <>
        Own SMTP: {channel.smtp.host}:{channel.smtp.port}
        {channel.smtp.secure ? ' (TLS)' : ''}
      </>
    ) : (
      <>Server&apos;s SMTP</>
    );
  }
  return (
    <>
      {channel.mode === 'polling' ? 'Polling' : 'Webhook'} · token {channel.botTokenSet ? 'set' : 'missing'}
      {channel.webhookError ? <div className={styles.problem}>Webhook: {channel.webhookError}</div> : null}
    </>
  );
}

function ChannelState({ channel }: { channel: Channel }) {
  if (!channel.enabled) return <Badge>Disabled</Badge>;
  if (channel.type === 'telegram' && channel.webhookError)
    return <Badge tone="warning">Needs attention</Badge>;
  return <Badge tone="success">Enabled</Badge>;
}

function DeleteChannelDialog({ channel, onClose }: { channel: Channel | null; onClose: () => void }) {
  const remove = useDeleteChannel();
  return (
    <Dialog
      open={channel !== null}
      onOpenChange={(open) => {
        if (!open) {
          remove.reset();
          onClose();
        }
      }}
      title={`Delete ${channel?.name ?? 'channel'}?`}
      description="Its tickets stay, but replies on them can no longer be delivered through it."
    >
      {remove.isError ? (
        <p className="field-error" role="alert">
          {errorMessage(remove.error)}
        </p>
      ) : null}
      <div className="dialog-actions">
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="danger"
          busy={remove.isPending}
          onClick={() =>
            channel &&
            remove.mutate(channel.id, {
              onSuccess: () => {
                announce(`${channel.name} deleted`);
                onClose();
              },
            })
          }
        >
          Delete channel
        </Button>
      </div>
    </Dialog>
  );
}

function RotateInboundDialog({
  channel,
  onClose,
  onRotated,
}: {
  channel: Channel | null;
  onClose: () => void;
  onRotated: (channel: Channel) => void;
}) {
  const rotate = useRotateInboundToken();
  return (
    <Dialog
      open={channel !== null}
      onOpenChange={(open) => {
        if (!open) {
          rotate.reset();
          onClose();
        }
      }}
      title="Make a new inbound URL?"
      description="The current inbound URL stops working at once: update your mail service or MTA with the new one."
    >
      {rotate.isError ? (
        <p className="field-error" role="alert">
          {errorMessage(rotate.error)}
        </p>
      ) : null}
      <div className="dialog-actions">
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="danger"
          busy={rotate.isPending}
          onClick={() =>
            channel &&
            rotate.mutate(channel.id, {
              onSuccess: (result) => {
                announce('New inbound URL made');
                onRotated(result);
              },
            })
          }
        >
          Make new URL
        </Button>
      </div>
    </Dialog>
  );
}
