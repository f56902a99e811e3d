import { useState } from 'react';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import type { SessionSummary } from '../lib/types.ts';
import { useLoad } from '../lib/use-load.ts';
import { Empty, ErrorMessage, Loading } from './Status.tsx';

const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** The signed-in user's sessions; any but this one can be signed out (Log out ends this one). */
export function SessionsSection() {
  const sessions = useLoad(() => api.get<{ sessions: SessionSummary[] }>('/api/auth/sessions').then((b) => b.sessions), []);
  const [error, setError] = useState<string | null>(null);
  const signOut = async (id: string) => {
    setError(null);
    try {
      await api.delete(`/api/auth/sessions/${id}`);
      sessions.reload();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  return (
    <section className="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <ErrorMessage message={error} />
      <ErrorMessage message={sessions.error} onRetry={sessions.reload} />
      {sessions.loading && !sessions.data ? <Loading what="sessions" /> : null}
      {sessions.data && sessions.data.length === 0 ? <Empty>No sessions.</Empty> : null}
      {sessions.data && sessions.data.length > 0 ? (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Browser</th>
                <th scope="col">Address</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last seen</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.map((session) => (
                <tr key={session.id}>
                  <td>{session.userAgent ?? 'unknown'}</td>
                  <td className="mono">{session.address ?? 'unknown'}</td>
                  <td>{when(session.createdAt)}</td>
                  <td>{when(session.lastSeenAt)}</td>
                  <td>
                    {session.current ? (
                      'This session'
                    ) : (
                      <button type="button" onClick={() => void signOut(session.id)} aria-label={`Sign out the session from ${session.address ?? 'an unknown address'}, signed in ${when(session.createdAt)}`}>
                        Sign out
                      </button>
                    )}
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
