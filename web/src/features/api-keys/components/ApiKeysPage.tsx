import { useState } from 'react';
import { announce } from '../../../components/Announcer';
import { Badge, type BadgeTone } from '../../../components/Badge';
import { Button } from '../../../components/Button';
import { ConfirmActionDialog } from '../../../components/ConfirmActionDialog';
import { CopyButton } from '../../../components/CopyButton';
import { EmptyState, ErrorState, Loading } from '../../../components/States';
import screen from '../../../components/AdminScreen.module.css';
import { formatDateTime } from '../../../lib/format-date';
import { useApiKeys, useRevokeApiKey, type ApiKey } from '../api/api-keys';
import { CreateApiKeyDialog } from './CreateApiKeyDialog';
import styles from './ApiKeysPage.module.css';

const STATUS_TONE: Record<ApiKey['status'], BadgeTone> = {
  active: 'success',
  expired: 'warning',
  revoked: 'danger',
};
const STATUS_TEXT: Record<ApiKey['status'], string> = {
  active: 'Active',
  expired: 'Expired',
  revoked: 'Revoked',
};

function rateLimitText(limit: number | null): string {
  if (limit === null) return 'Org default';
  if (limit === 0) return 'Unlimited';
  return `${limit}/min`;
}

export function ApiKeysPage() {
  const keys = useApiKeys();
  const revoke = useRevokeApiKey();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const secretKeys = keys.data?.data.filter((key) => key.kind === 'secret') ?? [];
  const widgetKeys = keys.data?.data.filter((key) => key.kind === 'widget' && key.status === 'active') ?? [];

  return (
    <section aria-labelledby="api-keys-title">
      <div className={screen.header}>
        <div>
          <h1 id="api-keys-title">API keys</h1>
          <p className={screen.lead}>
            Secret keys let your servers and integrations call the Talki REST API as this organization.
          </p>
        </div>
        <Button variant="primary" onClick={() => setCreating(true)}>
          Create API key
        </Button>
      </div>

      {keys.isPending ? (
        <Loading label="Loading API keys…" />
      ) : keys.isError ? (
        <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />
      ) : (
        <>
          <div className={screen.card}>
            {secretKeys.length === 0 ? (
              <EmptyState title="No API keys yet">
                <p>Create one to connect a server, a script or an integration.</p>
              </EmptyState>
            ) : (
              <table className="data">
                <caption className="visually-hidden">Secret API keys</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Key</th>
                    <th scope="col">Scope</th>
                    <th scope="col">Rate limit</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Status</th>
                    <th scope="col" className={screen.actionsHead}>
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {secretKeys.map((key) => (
                    <tr key={key.id} className={key.status === 'active' ? undefined : styles.revoked}>
                      <th scope="row">{key.name}</th>
                      <td className={screen.mono}>{key.prefix}…</td>
                      <td>{key.scope === 'write' ? 'Write' : 'Read'}</td>
                      <td className={screen.nowrap}>{rateLimitText(key.rateLimit)}</td>
                      <td className={screen.nowrap}>{formatDateTime(key.createdAt)}</td>
                      <td className={screen.nowrap}>{formatDateTime(key.lastUsedAt)}</td>
                      <td>
                        <Badge tone={STATUS_TONE[key.status]}>{STATUS_TEXT[key.status]}</Badge>
                      </td>
                      <td>
                        <div className={screen.actions}>
                          {key.status === 'active' ? (
                            <Button
                              size="sm"
                              onClick={() => setRevoking(key)}
                              aria-label={`Revoke ${key.name}`}
                            >
                              Revoke
                            </Button>
                          ) : null}
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>

          {widgetKeys.length > 0 ? (
            <section aria-labelledby="widget-key-title">
              <h2 id="widget-key-title" className={screen.cardTitle}>
                Chat widget key
              </h2>
              <p className={screen.lead}>
                Public: it goes in your site’s widget snippet and can only act as a visitor.
              </p>
              {widgetKeys.map((key) => (
                <div key={key.id} className={`${screen.card} ${styles.widgetKey}`}>
                  <code>{key.publicKey ?? key.prefix}</code>
                  {key.publicKey ? <CopyButton text={key.publicKey} what="widget key" /> : null}
                </div>
              ))}
            </section>
          ) : null}
        </>
      )}

      <CreateApiKeyDialog open={creating} onOpenChange={setCreating} />
      <ConfirmActionDialog
        open={revoking !== null}
        onOpenChange={(open) => {
          if (!open) setRevoking(null);
        }}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke key"
        onConfirm={async () => {
          if (!revoking) return;
          await revoke.mutateAsync(revoking.id);
          announce(`API key ${revoking.name} revoked`);
        }}
      >
        Anything using this key stops working at once. This can’t be undone.
      </ConfirmActionDialog>
    </section>
  );
}
