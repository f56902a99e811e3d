import { useState, type FormEvent } from 'react';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import type { Organization } from '../lib/types.ts';
import { useLoad } from '../lib/use-load.ts';
import { ErrorMessage, Loading, Notice } from '../components/Status.tsx';
import { CopyId } from './CopyId.tsx';
import { Field } from '../components/Field.tsx';

/** Name, organisation ID (with Copy ID) and whether the read API requires a token. */
export function OrgGeneral({ orgId, onChanged }: { orgId: string; onChanged: () => void }) {
  const org = useLoad(() => api.get<Organization>(`/api/orgs/${orgId}`), [orgId]);
  const [name, setName] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [readToken, setReadToken] = useState<boolean | null>(null);

  const save = async (change: Partial<Pick<Organization, 'name' | 'requireReadToken'>>, what: string) => {
    setError(null);
    setSaved(null);
    try {
      await api.patch<Organization>(`/api/orgs/${orgId}`, change);
      setSaved(what);
      setName(null);
      org.reload();
      // The organisation switcher shows the name from the session: refresh it.
      if (change.name !== undefined) onChanged();
      return true;
    } catch (caught) {
      setError(errorMessage(caught));
      return false;
    }
  };
  const rename = (event: FormEvent) => {
    event.preventDefault();
    if (name !== null && name.trim() !== '') void save({ name: name.trim() }, 'Name saved');
    else setError('Enter a name for the organisation');
  };

  return (
    <section className="card" aria-labelledby="general-title">
      <h2 id="general-title">Organisation</h2>
      <CopyId orgId={orgId} />
      {org.loading && !org.data ? <Loading what="organisation" /> : null}
      <ErrorMessage message={org.error} onRetry={org.reload} />
      {org.data ? (
        <>
          <form className="inline-form" onSubmit={rename}>
            <Field label="Name">
              <input value={name ?? org.data.name} maxLength={200} onChange={(e) => setName(e.target.value)} />
            </Field>
            <button type="submit" disabled={name === null || name === org.data.name}>
              Save name
            </button>
          </form>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={readToken ?? org.data.requireReadToken}
              onChange={(e) => {
                const wanted = e.target.checked;
                // Show the choice at once; a refused save puts the server's value back.
                setReadToken(wanted);
                void save({ requireReadToken: wanted }, wanted ? 'The read API now requires a token' : 'The read API is open to anyone with the organisation ID').then((ok) => {
                  if (!ok) setReadToken(null);
                });
              }}
            />
            Require an API token to list and download reports
          </label>
          <p className="hint">
            Off: anyone who knows the organisation ID can read <code>/security/report/list</code> and <code>/files</code>, as the seed API does. On: callers need a token with the read scope.
          </p>
        </>
      ) : null}
      <ErrorMessage message={error} />
      {saved ? <Notice>{saved}</Notice> : null}
    </section>
  );
}
