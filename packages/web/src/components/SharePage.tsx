import { useEffect, useState } from 'react';
import { api } from '../lib/api.ts';
import { ApiError, errorMessage } from '../lib/problem.ts';
import type { SharedReports } from '../lib/types.ts';
import { ErrorMessage, Loading } from './Status.tsx';

type State = { kind: 'loading' } | { kind: 'shown'; share: SharedReports } | { kind: 'invalid'; message: string } | { kind: 'failed'; message: string };

const day = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(0, 10);
};

/**
 * /share/{token}: the read-only page a share link opens, for people without an account. It shows
 * the organisation, the shared reports with their ratings and the downloads, and nothing else of
 * the dashboard. A revoked, expired or unknown link says plainly that it no longer works.
 */
export function SharePage({ token }: { token: string }) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const base = `/api/shares/${encodeURIComponent(token)}`;
  useEffect(() => {
    let current = true;
    api.get<SharedReports>(base, { quiet401: true }).then(
      (share) => current && setState({ kind: 'shown', share }),
      (error: unknown) => {
        if (!current) return;
        // 404 unknown, 410 revoked or expired: the server's message says which.
        if (error instanceof ApiError && (error.status === 404 || error.status === 410)) {
          setState({ kind: 'invalid', message: error.status === 404 ? 'This share link does not exist. Check that you copied all of it.' : error.message });
        } else setState({ kind: 'failed', message: errorMessage(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [base, attempt]);

  if (state.kind === 'loading') return <Loading what="the shared reports" />;
  if (state.kind !== 'shown') {
    return (
      <main className="login">
        <section className="card" aria-labelledby="share-title">
          <h1 id="share-title">{state.kind === 'invalid' ? 'This link is no longer valid' : 'Shared reports'}</h1>
          {state.kind === 'invalid' ? <p role="alert">{state.message}</p> : <ErrorMessage message={state.message} onRetry={() => setAttempt((a) => a + 1)} />}
        </section>
      </main>
    );
  }
  const { share } = state;
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Arkiv</span>
        <span>Shared by {share.organizationName}</span>
      </header>
      <main className="content">
        <section aria-labelledby="share-title">
          <div className="page-head">
            <h1 id="share-title">Security reports from {share.organizationName}</h1>
            {share.reports.length > 0 ? (
              <a className="button primary" href={`${base}/files`} download>
                Download all (ZIP)
              </a>
            ) : null}
          </div>
          <p className="hint">
            Shared with you through a link that works until {day(share.expiresAt)}. The ZIP holds a signed manifest: <code>arkiv verify</code> checks it against the organisation&apos;s
            published keys.
          </p>
          {share.reports.length === 0 ? (
            <p className="empty">The reports shared here have since been deleted.</p>
          ) : (
            <div className="table-scroll">
              <table className="reports">
                <thead>
                  <tr>
                    <th scope="col">Project</th>
                    <th scope="col">Version</th>
                    <th scope="col">Type</th>
                    <th scope="col" className="numeric">Edition</th>
                    <th scope="col">Analysed</th>
                    <th scope="col" className="numeric">Vulnerabilities</th>
                    <th scope="col">Rating</th>
                    <th scope="col">Files</th>
                  </tr>
                </thead>
                <tbody>
                  {share.reports.map((report) => (
                    <tr key={report.id}>
                      <td>{report.projectName}</td>
                      <td>{report.projectVersion}</td>
                      <td>{report.reportType}</td>
                      <td className="numeric">{report.reportVersion}</td>
                      <td>{day(report.date)}</td>
                      <td className="numeric">{report.vulnerabilitiesCount}</td>
                      <td>
                        <span className={`rating rating-${report.securityRating}`} aria-label={`Security rating ${report.securityRating}`}>
                          {report.securityRating}
                        </span>
                      </td>
                      <td className="files">
                        {(['html', 'pdf'] as const).map((kind) => (
                          <a key={kind} href={`${base}/reports/${report.id}/files/${kind}`} download aria-label={`Download ${kind.toUpperCase()} of ${report.projectName} ${report.projectVersion} ${report.reportType}`}>
                            {kind.toUpperCase()}
                          </a>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </main>
    </div>
  );
}
