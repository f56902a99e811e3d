import { useState } from 'react';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import type { MfaPolicy } from '../lib/types.ts';
import { useLoad } from '../lib/use-load.ts';
import { ErrorMessage, Loading, Notice } from '../components/Status.tsx';

/** Whether members must have two-factor authentication (PUT /api/orgs/{orgId}/mfa-policy). */
export function MfaPolicyPanel({ orgId, onChanged }: { orgId: string; onChanged: () => void }) {
  const policy = useLoad(() => api.get<MfaPolicy>(`/api/orgs/${orgId}/mfa-policy`), [orgId]);
  const [wanted, setWanted] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const save = async (requireMfa: boolean) => {
    setError(null);
    setSaved(null);
    // Show the choice at once; a refused save puts the server's value back.
    setWanted(requireMfa);
    try {
      await api.put<MfaPolicy>(`/api/orgs/${orgId}/mfa-policy`, { requireMfa });
      setSaved(requireMfa ? 'Members now need two-factor authentication' : 'Two-factor authentication is now optional');
      policy.reload();
      onChanged();
    } catch (caught) {
      setError(errorMessage(caught));
    }
    setWanted(null);
  };

  return (
    <section className="card" aria-labelledby="mfa-policy-title">
      <h2 id="mfa-policy-title">Two-factor authentication</h2>
      {policy.loading && !policy.data ? <Loading what="two-factor policy" /> : null}
      <ErrorMessage message={policy.error} onRetry={policy.reload} />
      {policy.data ? (
        <label className="checkbox">
          <input type="checkbox" checked={wanted ?? policy.data.requireMfa} onChange={(e) => void save(e.target.checked)} />
          Require two-factor authentication of every member
        </label>
      ) : null}
      <p className="hint">On: members without it see nothing of this organisation until they turn it on in their Account page. API tokens are not affected. Turn it on for your own account first.</p>
      <ErrorMessage message={error} />
      {saved ? <Notice>{saved}</Notice> : null}
    </section>
  );
}
