import { useState } from 'react';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import type { Share } from '../lib/types.ts';
import { useLoad } from '../lib/use-load.ts';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { Empty, ErrorMessage, Loading } from '../components/Status.tsx';

const STATUS_TEXT: Record<Share['status'], string> = { active: 'Active', expired: 'Expired', revoked: 'Revoked' };
const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : 'never');

/**
 * Share links of the organisation: what each shares, who made it, how often it was used, and a
 * Revoke for those still working. Links themselves cannot be shown again (only their hash is kept);
 * they are created from the Reports screen.
 */
export function SharesPanel({ orgId }: { orgId: string }) {
  const shares = useLoad(() => api.get<{ shares: Share[] }>(`/api/orgs/${orgId}/shares`).then((b) => b.shares), [orgId]);
  const [error, setError] = useState<string | null>(null);
  const revoke = async (id: string) => {
    setError(null);
    try {
      await api.delete(`/api/orgs/${orgId}/shares/${id}`);
      shares.reload();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  const list = shares.data ?? [];
  return (
    <section className="card" aria-labelledby="shares-title">
      <h2 id="shares-title">Share links</h2>
      <p className="hint">Links to chosen reports for people without an account (auditors, customers). Create them on the Reports screen: select reports, then Share.</p>
      <ErrorMessage message={error} />
      <ErrorMessage message={shares.error} onRetry={shares.reload} />
      {shares.loading && !shares.data ? <Loading what="share links" /> : null}
      {shares.data && list.length === 0 ? <Empty>No share links yet.</Empty> : null}
      {list.length > 0 ? (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Note</th>
                <th scope="col" className="numeric">Reports</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Status</th>
                <th scope="col">Used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((share) => (
                <tr key={share.id}>
                  <td>{share.note || <span className="hint">(no note)</span>}</td>
                  <td className="numeric">{share.reports.length}</td>
                  <td>
                    {when(share.createdAt)}
                    {share.createdBy ? (
                      <>
                        <br />
                        <span className="hint">by {share.createdBy.kind === 'token' ? `token ${share.createdBy.name}` : share.createdBy.name}</span>
                      </>
                    ) : null}
                  </td>
                  <td>{when(share.expiresAt)}</td>
                  <td>
                    <span>{STATUS_TEXT[share.status]}</span>
                    {share.revokedAt ? (
                      <>
                        <br />
                        <span className="hint">{when(share.revokedAt)}</span>
                      </>
                    ) : null}
                  </td>
                  <td>
                    {share.accessCount} {share.accessCount === 1 ? 'time' : 'times'} ({share.downloadCount} {share.downloadCount === 1 ? 'download' : 'downloads'})
                    <br />
                    <span className="hint">last {when(share.lastAccessAt)}</span>
                  </td>
                  <td>
                    {share.status === 'active' ? (
                      <ConfirmButton label="Revoke" confirmLabel={`Revoke ${share.note || 'this link'}`} onConfirm={() => void revoke(share.id)} />
                    ) : null}
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
