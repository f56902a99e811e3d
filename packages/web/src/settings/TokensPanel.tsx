import { useState, type FormEvent } from 'react';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import type { ApiToken, Scope } from '../lib/types.ts';
import { useLoad } from '../lib/use-load.ts';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { Empty, ErrorMessage, Loading } from '../components/Status.tsx';
import { Field } from '../components/Field.tsx';

const SCOPE_TEXT: Record<Scope, string> = { read: 'read reports', upload: 'upload reports', admin: 'administer the organisation' };
const SCOPES = Object.keys(SCOPE_TEXT) as Scope[];

/** Create (the token is shown once and never again), list and revoke API tokens. */
export function TokensPanel({ orgId }: { orgId: string }) {
  const tokens = useLoad(() => api.get<{ tokens: ApiToken[] }>(`/api/orgs/${orgId}/tokens`).then((b) => b.tokens), [orgId]);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Set<Scope>>(new Set(['upload']));
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (name.trim() === '') return setError('Enter a name that says where the token is used');
    if (scopes.size === 0) return setError('Choose at least one scope');
    try {
      const ordered = SCOPES.filter((s) => scopes.has(s));
      const result = await api.post<{ token: string; name: string }>(`/api/orgs/${orgId}/tokens`, { name: name.trim(), scopes: ordered });
      setCreated({ name: result.name, token: result.token });
      setName('');
      tokens.reload();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  const revoke = async (id: string) => {
    setError(null);
    try {
      await api.delete(`/api/orgs/${orgId}/tokens/${id}`);
      tokens.reload();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  const toggleScope = (scope: Scope) => {
    const next = new Set(scopes);
    if (next.has(scope)) next.delete(scope);
    else next.add(scope);
    setScopes(next);
  };
  const active = (tokens.data ?? []).filter((t) => t.revokedAt === null);

  return (
    <section className="card" aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      <form className="inline-form" onSubmit={create}>
        <Field label="Token name">
          <input value={name} maxLength={200} placeholder="CI pipeline" onChange={(e) => setName(e.target.value)} />
        </Field>
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.map((scope) => (
            <label key={scope} className="checkbox" title={SCOPE_TEXT[scope]}>
              <input type="checkbox" checked={scopes.has(scope)} onChange={() => toggleScope(scope)} />
              {scope}
            </label>
          ))}
        </fieldset>
        <button type="submit" className="primary">
          Create token
        </button>
      </form>
      {created ? (
        <div className="secret-once" role="status">
          <p>
            Token <strong>{created.name}</strong> created. Copy it now: it is shown only once.
          </p>
          <input readOnly className="mono" aria-label="New token" value={created.token} onFocus={(e) => e.target.select()} />
          <button type="button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      ) : null}
      <ErrorMessage message={error} />
      <ErrorMessage message={tokens.error} onRetry={tokens.reload} />
      {tokens.loading && !tokens.data ? <Loading what="tokens" /> : null}
      {tokens.data && active.length === 0 ? <Empty>No active tokens.</Empty> : null}
      {active.length > 0 ? (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scopes</th>
                <th scope="col">Prefix</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {active.map((token) => (
                <tr key={token.id}>
                  <td>{token.name}</td>
                  <td>{SCOPES.filter((s) => token.scopes.includes(s)).join(', ')}</td>
                  <td className="mono">{token.prefix}…</td>
                  <td>{token.lastUsedAt ? token.lastUsedAt.slice(0, 16).replace('T', ' ') : 'never'}</td>
                  <td>
                    <ConfirmButton label="Revoke" confirmLabel={`Revoke ${token.name}`} onConfirm={() => void revoke(token.id)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
