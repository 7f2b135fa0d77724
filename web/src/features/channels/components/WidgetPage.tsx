import { useState } from 'react';
import { announce } from '../../../components/Announcer';
import { Badge } from '../../../components/Badge';
import { Button } from '../../../components/Button';
import { CopyButton } from '../../../components/CopyButton';
import { Dialog } from '../../../components/Dialog';
import { Field } from '../../../components/Field';
import { ErrorState, Loading, errorMessage } from '../../../components/States';
import { formErrorsOf } from '../../../lib/field-errors';
import { useRequiredSession } from '../../../lib/use-session';
import {
  useRotateIdentitySecret,
  useUpdateChannel,
  useWidgetChannel,
  useWidgetKey,
  type Channel,
} from '../api/channels';
import { AllowedOriginsEditor } from './AllowedOriginsEditor';
import { SecretDialog } from './SecretDialog';
import { WidgetPreview } from './WidgetPreview';
import styles from './WidgetPage.module.css';

/** Admin: the website chat widget — install snippet, settings with a live preview, identity signing. */
export function WidgetPage() {
  const widget = useWidgetChannel();
  return (
    <section className={styles.page} aria-labelledby="widget-heading">
      <h1 id="widget-heading">Chat widget</h1>
      <p className={styles.lead}>
        The chat bubble on your website: how it looks, where it may run, and who your visitors are.
      </p>
      <InstallSnippet />
      {widget.isPending ? (
        <Loading label="Loading the widget's settings…" />
      ) : widget.isError ? (
        <ErrorState error={widget.error} onRetry={() => void widget.refetch()} />
      ) : (
        <>
          <WidgetSettings channel={widget.data} />
          <IdentityVerification channel={widget.data} />
        </>
      )}
    </section>
  );
}

function InstallSnippet() {
  const session = useRequiredSession();
  const key = useWidgetKey();
  const publicKey = key.data?.publicKey ?? null;
  const snippet = publicKey
    ? `<script src="${window.location.origin}/widget.js" data-org-id="${session.orgId}" data-api-key="${publicKey}" async></script>`
    : '';
  return (
    <section className={styles.card} aria-labelledby="install-heading">
      <h2 id="install-heading">Install</h2>
      {key.isPending ? (
        <Loading label="Loading the widget key…" />
      ) : key.isError ? (
        <ErrorState
          error={key.error}
          onRetry={() => void key.refetch()}
          title="The widget key could not be loaded"
        />
      ) : !publicKey ? (
        <p role="alert" className={styles.warning}>
          This organization has no active widget key, so the widget can&apos;t be installed. Widget keys are
          made when an organization is created and can&apos;t be made from this app.
        </p>
      ) : (
        <>
          <p className="field-hint">
            Paste this before <code>&lt;/body&gt;</code> on every page that should show the chat bubble.
          </p>
          <div className={styles.snippetRow}>
            <textarea
              className={styles.snippet}
              aria-label="Install snippet"
              readOnly
              rows={4}
              value={snippet}
              onFocus={(event) => event.target.select()}
            />
            <CopyButton text={snippet} what="install snippet" />
          </div>
          <dl className={styles.facts}>
            <div>
              <dt>Organization id</dt>
              <dd>
                <code>{session.orgId}</code>
              </dd>
            </div>
            <div>
              <dt>Widget key</dt>
              <dd>
                <code>{publicKey}</code> <CopyButton text={publicKey} what="widget key" />
              </dd>
            </div>
          </dl>
          <p className="field-hint">
            The widget key is public by design: it only opens conversations and reads published articles.
          </p>
        </>
      )}
    </section>
  );
}

interface Draft {
  enabled: boolean;
  title: string;
  greeting: string;
  color: string;
  requireEmail: boolean;
  allowedOrigins: string[];
}

const draftOf = (channel: Channel): Draft => ({
  enabled: channel.enabled,
  title: channel.title ?? 'Chat with us',
  greeting: channel.greeting ?? '',
  color: channel.color ?? '#4f46e5',
  requireEmail: channel.requireEmail ?? false,
  allowedOrigins: channel.allowedOrigins ?? [],
});

const sameDraft = (a: Draft, b: Draft) => JSON.stringify(a) === JSON.stringify(b);

/** WCAG contrast of white text on `hex` (the widget writes white on its accent colour). */
function contrastWithWhite(hex: string): number | null {
  if (!/^#[0-9a-fA-F]{6}$/.test(hex)) return null;
  const [r, g, b] = [1, 3, 5].map((start) => {
    const c = parseInt(hex.slice(start, start + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return 1.05 / (luminance + 0.05);
}

function WidgetSettings({ channel }: { channel: Channel }) {
  const update = useUpdateChannel();
  const saved = draftOf(channel);
  // Untouched, the form follows the saved settings (also when changed elsewhere); once edited, it keeps the edit.
  const [draft, setDraft] = useState<Draft | null>(null);
  const value = draft ?? saved;
  const dirty = draft !== null && !sameDraft(draft, saved);
  const set = (patch: Partial<Draft>) => {
    update.reset();
    setDraft({ ...value, ...patch });
  };
  const { fields: errors, general: alert } = formErrorsOf(update.error, {
    title: 'Title',
    greeting: 'Greeting',
    color: 'Accent colour',
    allowedOrigins: 'Allowed origins',
  });
  const contrast = contrastWithWhite(value.color);

  const save = () => {
    update.mutate(
      { id: 'widget', body: value },
      {
        onSuccess: () => {
          setDraft(null);
          announce('Widget settings saved');
        },
      },
    );
  };

  return (
    <section className={styles.card} aria-labelledby="settings-heading">
      <h2 id="settings-heading">Settings</h2>
      <div className={styles.settingsGrid}>
        <form
          className={styles.form}
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            save();
          }}
        >
          <label className={styles.check}>
            <input
              type="checkbox"
              checked={value.enabled}
              onChange={(event) => set({ enabled: event.target.checked })}
            />
            Widget enabled
          </label>
          <Field label="Title" error={errors.title} hint="The heading of the chat panel.">
            <input
              value={value.title}
              maxLength={100}
              onChange={(event) => set({ title: event.target.value })}
            />
          </Field>
          <Field label="Greeting" error={errors.greeting} hint="The first thing a visitor reads.">
            <textarea
              rows={3}
              value={value.greeting}
              maxLength={1000}
              onChange={(event) => set({ greeting: event.target.value })}
            />
          </Field>
          <div className={styles.colourRow}>
            <Field label="Accent colour" className={styles.colourPicker}>
              <input
                type="color"
                value={/^#[0-9a-fA-F]{6}$/.test(value.color) ? value.color.toLowerCase() : '#4f46e5'}
                onChange={(event) => set({ color: event.target.value })}
              />
            </Field>
            <Field
              label="Accent colour (hex)"
              error={
                errors.color ??
                (/^#[0-9a-fA-F]{6}$/.test(value.color) ? null : 'Use the form #rrggbb, e.g. #2b5bd7')
              }
              hint={
                contrast !== null && contrast < 4.5
                  ? `White text on this colour has a contrast of ${contrast.toFixed(1)}:1; 4.5:1 or more reads well.`
                  : undefined
              }
            >
              <input
                value={value.color}
                maxLength={7}
                spellCheck={false}
                onChange={(event) => set({ color: event.target.value.trim() })}
              />
            </Field>
          </div>
          <label className={styles.check}>
            <input
              type="checkbox"
              checked={value.requireEmail}
              onChange={(event) => set({ requireEmail: event.target.checked })}
            />
            Ask for an email address before the first message
          </label>
          <AllowedOriginsEditor
            origins={value.allowedOrigins}
            onChange={(allowedOrigins) => set({ allowedOrigins })}
            error={errors.allowedOrigins}
          />
          {alert ? (
            <p className="field-error" role="alert">
              {alert}
            </p>
          ) : null}
          <div className={styles.actions}>
            <Button type="submit" variant="primary" busy={update.isPending} disabled={!dirty}>
              Save settings
            </Button>
            <Button
              disabled={!dirty || update.isPending}
              onClick={() => {
                update.reset();
                setDraft(null);
              }}
            >
              Discard changes
            </Button>
            {dirty ? <span className={styles.unsaved}>Unsaved changes</span> : null}
          </div>
        </form>
        <div className={styles.preview}>
          <h3>Preview</h3>
          <p className="field-hint">
            The real widget with these settings, before you save them. Nothing typed in it is sent.
          </p>
          <WidgetPreview settings={value} />
        </div>
      </div>
    </section>
  );
}

function IdentityVerification({ channel }: { channel: Channel }) {
  const rotate = useRotateIdentitySecret();
  const update = useUpdateChannel();
  const [confirming, setConfirming] = useState(false);
  const [removing, setRemoving] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  // The box shows the admin's choice while it is being saved.
  const [requireSigned, setRequireSigned] = useState<boolean | null>(null);
  const secretSet = channel.identitySecretSet ?? false;
  const generate = () =>
    rotate.mutate(undefined, {
      onSuccess: (result) => {
        setConfirming(false);
        setSecret(result.identitySecret);
        announce('New identity secret generated');
      },
    });
  const { fields: errors } = formErrorsOf(update.error, {
    requireSignedIdentity: 'Require signed identities',
    identitySecret: 'Identity secret',
  });
  return (
    <section className={styles.card} aria-labelledby="identity-heading">
      <h2 id="identity-heading">Identity verification</h2>
      <p className="field-hint">
        Signed-in users of your site can keep their conversations across browsers. Your server signs the
        user&apos;s id: <code>signature = hex(HMAC-SHA256(identitySecret, userId))</code> and passes{' '}
        <code>identity: {'{ userId, signature }'}</code> in <code>window.TalkiConfig</code>.
      </p>
      <p className={styles.statusLine}>
        Identity secret: {secretSet ? <Badge tone="success">Set</Badge> : <Badge>Not set</Badge>}
      </p>
      <div className={styles.actions}>
        <Button
          variant={secretSet ? 'secondary' : 'primary'}
          busy={rotate.isPending && !confirming}
          onClick={() => (secretSet ? setConfirming(true) : generate())}
        >
          {secretSet ? 'Replace identity secret' : 'Generate identity secret'}
        </Button>
        {secretSet ? (
          <Button variant="ghost" onClick={() => setRemoving(true)}>
            Turn off signing
          </Button>
        ) : null}
      </div>
      {rotate.isError && !confirming ? (
        <p className="field-error" role="alert">
          {errorMessage(rotate.error)}
        </p>
      ) : null}
      <label className={styles.check}>
        <input
          type="checkbox"
          checked={requireSigned ?? channel.requireSignedIdentity ?? false}
          disabled={!secretSet || update.isPending}
          aria-describedby="signed-identity-hint"
          onChange={(event) => {
            setRequireSigned(event.target.checked);
            update.mutate(
              { id: 'widget', body: { requireSignedIdentity: event.target.checked } },
              {
                onSettled: () => setRequireSigned(null),
                onSuccess: (next) =>
                  announce(
                    next.requireSignedIdentity
                      ? 'Signed identities are now required'
                      : 'Unsigned identities are now ignored',
                  ),
              },
            );
          }}
        />
        Require signed identities
      </label>
      <p id="signed-identity-hint" className="field-hint">
        {secretSet
          ? 'On: a user id without a valid signature is refused. Off: it is ignored and the visitor chats anonymously.'
          : 'Generate an identity secret first.'}
      </p>
      {update.isError ? (
        <p className="field-error" role="alert">
          {errors.requireSignedIdentity ?? errors.identitySecret ?? errorMessage(update.error)}
        </p>
      ) : null}

      <Dialog
        open={confirming}
        onOpenChange={(open) => {
          if (!open) rotate.reset();
          setConfirming(open);
        }}
        title="Replace the identity secret?"
        description="The current secret stops working at once: your server must sign with the new one."
      >
        {rotate.isError ? (
          <p className="field-error" role="alert">
            {errorMessage(rotate.error)}
          </p>
        ) : null}
        <div className="dialog-actions">
          <Button onClick={() => setConfirming(false)}>Cancel</Button>
          <Button variant="danger" busy={rotate.isPending} onClick={generate}>
            Replace secret
          </Button>
        </div>
      </Dialog>
      <Dialog
        open={removing}
        onOpenChange={setRemoving}
        title="Turn off identity signing?"
        description="The secret is deleted and signed identities stop being checked: every visitor chats anonymously."
      >
        <div className="dialog-actions">
          <Button onClick={() => setRemoving(false)}>Cancel</Button>
          <Button
            variant="danger"
            busy={update.isPending}
            onClick={() =>
              update.mutate(
                { id: 'widget', body: { identitySecret: null, requireSignedIdentity: false } },
                {
                  onSuccess: () => {
                    setRemoving(false);
                    announce('Identity signing turned off');
                  },
                },
              )
            }
          >
            Turn off signing
          </Button>
        </div>
      </Dialog>
      <SecretDialog
        open={secret !== null}
        onClose={() => setSecret(null)}
        title="Your new identity secret"
        what="identity secret"
        value={secret ?? ''}
      >
        <p className="field-hint">Keep it on your server only — never in a web page.</p>
      </SecretDialog>
    </section>
  );
}
