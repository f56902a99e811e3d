import { useState } from 'react';
import { api } from '../lib/api.ts';
import { useLoad } from '../lib/use-load.ts';
import { useAction } from '../lib/use-action.ts';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { Empty, ErrorMessage, Loading, Notice } from '../components/Status.tsx';
import { WebhookForm } from './WebhookForm.tsx';
import { WebhookSecret } from './WebhookSecret.tsx';
import { PingButton } from './PingButton.tsx';
import { DeliveryLog } from './DeliveryLog.tsx';
import { listFrom, webhooksUrl, webhookUrl, type Webhook, type WebhookInput } from './webhook-types.ts';

type Editing = { mode: 'new' } | { mode: 'edit'; webhook: Webhook } | null;

/** Security reports → Webhooks: endpoints, their secrets, test pings and delivery logs. */
export function WebhooksPage({ orgId }: { orgId: string }) {
  const list = useLoad(() => api.get<unknown>(webhooksUrl(orgId)).then((b) => listFrom<Webhook>(b, 'webhooks', 'endpoints', 'items')), [orgId]);
  const [editing, setEditing] = useState<Editing>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [created, setCreated] = useState<{ id: string; secret: string } | null>(null);
  const { error, notice, run } = useAction(list.reload);
  const [refresh, setRefresh] = useState(0);
  const webhooks = list.data ?? [];
  const selected = webhooks.find((w) => w.id === selectedId) ?? null;

  const save = (input: WebhookInput) =>
    run(async () => {
      if (editing?.mode === 'edit') {
        await api.patch(webhookUrl(orgId, editing.webhook.id), input);
      } else {
        const result = await api.post<{ id: string; secret: string }>(webhooksUrl(orgId), input);
        setCreated({ id: result.id, secret: result.secret });
        setSelectedId(result.id);
      }
      setEditing(null);
    }, editing?.mode === 'edit' ? 'Webhook saved.' : 'Webhook created.').catch(() => undefined);
  const setEnabled = (webhook: Webhook, enabled: boolean) =>
    void run(() => api.patch(webhookUrl(orgId, webhook.id), { enabled }).then(() => undefined), enabled ? 'Webhook enabled.' : 'Webhook disabled.').catch(() => undefined);
  const remove = (webhook: Webhook) =>
    void run(async () => {
      await api.delete(webhookUrl(orgId, webhook.id));
      if (selectedId === webhook.id) setSelectedId(null);
    }, 'Webhook deleted.').catch(() => undefined);

  return (
    <section aria-labelledby="webhooks-title" className="stack">
      <div className="page-head">
        <h1 id="webhooks-title">Webhooks</h1>
        <button type="button" className="primary" onClick={() => setEditing({ mode: 'new' })}>
          Add webhook
        </button>
      </div>
      <p className="hint">Security reports: Arkiv POSTs a signed JSON event to each enabled endpoint when reports are uploaded, replaced or deleted, and retries failures.</p>
      {editing ? <WebhookForm key={editing.mode === 'edit' ? editing.webhook.id : 'new'} webhook={editing.mode === 'edit' ? editing.webhook : null} onSubmit={save} onCancel={() => setEditing(null)} /> : null}
      <ErrorMessage message={error} />
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorMessage message={list.error} onRetry={list.reload} />
      {list.loading && !list.data ? <Loading what="webhooks" /> : null}
      {list.data && webhooks.length === 0 && !editing ? <Empty>No webhooks yet. Add one to be notified of new reports.</Empty> : null}
      {webhooks.length > 0 ? (
        <ul className="webhook-list">
          {webhooks.map((webhook) => (
            <li key={webhook.id} className={`card${webhook.id === selectedId ? ' selected' : ''}`}>
              <div className="webhook-row">
                <div>
                  <span className="mono url">{webhook.url}</span>
                  <span className={`pill ${webhook.enabled ? 'status-succeeded' : 'status-failed'}`}>{webhook.enabled ? 'enabled' : `disabled${webhook.disabledReason && webhook.disabledReason !== 'manual' ? ` (${webhook.disabledReason})` : ''}`}</span>
                  {webhook.description ? <p className="hint">{webhook.description}</p> : null}
                  <p className="hint">
                    {webhook.events.join(', ')} · {webhook.signatureScheme}
                    {webhook.filters?.projectName?.length ? ` · projects: ${webhook.filters.projectName.join(', ')}` : ''}
                    {webhook.filters?.reportType?.length ? ` · types: ${webhook.filters.reportType.join(', ')}` : ''}
                  </p>
                </div>
                <div className="row-actions">
                  <button type="button" aria-expanded={webhook.id === selectedId} onClick={() => setSelectedId(webhook.id === selectedId ? null : webhook.id)}>
                    {webhook.id === selectedId ? 'Close' : 'Open'}
                  </button>
                  <button type="button" onClick={() => setEditing({ mode: 'edit', webhook })}>
                    Edit
                  </button>
                  <button type="button" onClick={() => setEnabled(webhook, !webhook.enabled)}>
                    {webhook.enabled ? 'Disable' : 'Enable'}
                  </button>
                  <ConfirmButton label="Delete" confirmLabel="Delete webhook" onConfirm={() => remove(webhook)} />
                </div>
              </div>
              {webhook.id === selectedId ? (
                <div className="webhook-detail">
                  <WebhookSecret orgId={orgId} webhookId={webhook.id} initialSecret={created?.id === webhook.id ? created.secret : null} />
                  <PingButton orgId={orgId} webhookId={webhook.id} onSent={() => setRefresh((r) => r + 1)} />
                  <DeliveryLog orgId={orgId} webhookId={webhook.id} refresh={refresh} />
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {selected === null && selectedId !== null && list.data ? <Empty>The selected webhook no longer exists.</Empty> : null}
    </section>
  );
}
