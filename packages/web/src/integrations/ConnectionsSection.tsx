import { useState } from 'react';
import { api } from '../lib/api.ts';
import { useLoad } from '../lib/use-load.ts';
import { useAction } from '../lib/use-action.ts';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { Empty, ErrorMessage, Loading, Notice } from '../components/Status.tsx';
import { ConnectionForm } from './ConnectionForm.tsx';
import { ConnectionDetail } from './ConnectionDetail.tsx';
import { connectionsUrl, connectionUrl, KIND_NAMES, type Connection, type ConnectionInput, type ConnectionKind } from './integration-types.ts';

type Editing = { mode: 'new' } | { mode: 'edit'; connection: Connection } | null;

/** One kind's connections: list, add, edit, delete, and the open one's detail. */
export function ConnectionsSection({ orgId, kind, intro }: { orgId: string; kind: ConnectionKind; intro: string }) {
  const list = useLoad(() => api.get<{ connections: Connection[] }>(connectionsUrl(orgId, kind)).then((b) => b.connections), [orgId, kind]);
  const [editing, setEditing] = useState<Editing>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const { error, notice, run } = useAction(list.reload);
  const name = KIND_NAMES[kind];
  const connections = list.data ?? [];

  const save = (input: ConnectionInput) =>
    run(async () => {
      if (editing?.mode === 'edit') {
        await api.patch(connectionUrl(orgId, kind, editing.connection.id), input);
      } else {
        setOpenId((await api.post<Connection>(connectionsUrl(orgId, kind), input)).id);
      }
      setEditing(null);
    }, editing?.mode === 'edit' ? 'Connection saved.' : 'Connection created: paste its webhook URL and secret into ' + name + '.');
  const quiet = (promise: Promise<void>) => void promise.catch(() => undefined);
  const remove = (connection: Connection) =>
    quiet(run(() => api.delete(connectionUrl(orgId, kind, connection.id)).then(() => undefined), `Connection ${connection.name} deleted.`));
  const rotate = (connection: Connection) =>
    quiet(run(() => api.patch(connectionUrl(orgId, kind, connection.id), { rotateSecret: true }).then(() => undefined), `New webhook secret for ${connection.name}: paste it into ${name}.`));

  return (
    <section className="card stack" aria-labelledby={`${kind}-title`}>
      <div className="page-head">
        <h2 id={`${kind}-title`}>{name}</h2>
        <button type="button" onClick={() => setEditing({ mode: 'new' })}>
          Add {name} connection
        </button>
      </div>
      <p className="hint">{intro}</p>
      {editing ? (
        <ConnectionForm key={editing.mode === 'edit' ? editing.connection.id : 'new'} kind={kind} connection={editing.mode === 'edit' ? editing.connection : null} onSubmit={save} onCancel={() => setEditing(null)} />
      ) : null}
      <ErrorMessage message={error} />
      {notice ? <Notice>{notice}</Notice> : null}
      <ErrorMessage message={list.error} onRetry={list.reload} />
      {list.loading && !list.data ? <Loading what={`${name} connections`} /> : null}
      {list.data && connections.length === 0 && !editing ? <Empty>No {name} connection yet.</Empty> : null}
      {connections.length > 0 ? (
        <ul className="webhook-list">
          {connections.map((connection) => (
            <li key={connection.id} className={`card${connection.id === openId ? ' selected' : ''}`} aria-label={`${name} connection ${connection.name}`}>
              <div className="webhook-row">
                <div>
                  <strong>{connection.name}</strong>
                  {connection.serverUrl ? <span className="mono url"> {connection.serverUrl}</span> : null}
                  {kind === 'sonarqube' ? (
                    <p className="hint">
                      {connection.hasToken ? 'token stored' : 'no token'} ·{' '}
                      {Object.keys(connection.projects).length ? `projects: ${Object.entries(connection.projects).map(([k, v]) => `${k} → ${v}`).join(', ')}` : 'every project'}
                    </p>
                  ) : null}
                </div>
                <div className="row-actions">
                  <button type="button" aria-expanded={connection.id === openId} onClick={() => setOpenId(connection.id === openId ? null : connection.id)}>
                    {connection.id === openId ? 'Close' : 'Open'}
                  </button>
                  <button type="button" onClick={() => setEditing({ mode: 'edit', connection })}>
                    Edit
                  </button>
                  <ConfirmButton label="Delete" confirmLabel="Delete connection" onConfirm={() => remove(connection)} />
                </div>
              </div>
              {connection.id === openId ? <ConnectionDetail orgId={orgId} connection={connection} onRotate={() => rotate(connection)} onImported={list.reload} onRefresh={list.reload} /> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
