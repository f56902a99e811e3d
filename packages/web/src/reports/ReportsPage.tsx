import { useMemo, useState } from 'react';
import { api, withQuery } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import { projectSeries } from '../lib/chart.ts';
import type { SortOrder } from '../lib/sort.ts';
import { isAdminRole, type Membership, type Report } from '../lib/types.ts';
import { useLoad } from '../lib/use-load.ts';
import { Empty, ErrorMessage, Loading } from '../components/Status.tsx';
import { ReportFilters } from './ReportFilters.tsx';
import { listParameters, NO_FILTERS, type Filters } from './filters.ts';
import { ReportTable } from './ReportTable.tsx';
import { UploadForm } from './UploadForm.tsx';
import { ProjectChart } from './ProjectChart.tsx';
import { ShareForm } from './ShareForm.tsx';
import { FindingsSearch } from './FindingsSearch.tsx';
import { FindingsDiff } from './FindingsDiff.tsx';
import { FindingsTrends } from './FindingsTrends.tsx';

/** Browse, filter, sort, select and download reports; admins also upload. Members see this screen only. */
export function ReportsPage({ membership }: { membership: Membership }) {
  const orgId = membership.orgId;
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [order, setOrder] = useState<SortOrder>({ key: 'uploadDate', direction: 'descending' });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [showUpload, setShowUpload] = useState(false);
  const [sharing, setSharing] = useState<string[] | null>(null);
  const list = useLoad(
    () => api.get<{ reports: Report[] }>(withQuery('/security/report/list', listParameters(orgId, filters))).then((body) => body.reports),
    [orgId, filters],
  );
  const reports = list.data ?? [];
  const series = useMemo(() => projectSeries(reports), [reports]);
  // Only reports still listed can be downloaded: a filter change drops hidden selections.
  const chosen = reports.filter((r) => selected.has(r.id)).map((r) => r.id);
  const canUpload = isAdminRole(membership.role);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const remove = async (report: Report) => {
    setDeleteError(null);
    try {
      await api.delete(withQuery(`/security/report/${report.id}`, { org: orgId }));
      list.reload();
    } catch (caught) {
      setDeleteError(errorMessage(caught));
    }
  };

  return (
    <section aria-labelledby="reports-title">
      <div className="page-head">
        <h1 id="reports-title">Reports</h1>
        {canUpload ? (
          <button type="button" aria-expanded={showUpload} onClick={() => setShowUpload(!showUpload)}>
            {showUpload ? 'Close upload' : 'Upload a report'}
          </button>
        ) : null}
      </div>
      {showUpload ? <UploadForm orgId={orgId} onUploaded={() => list.reload()} /> : null}
      <ReportFilters initial={filters} onApply={(next) => setFilters(next)} />
      <div className="toolbar">
        <span>
          {list.loading ? 'Loading…' : `${reports.length} report${reports.length === 1 ? '' : 's'}`}
          {chosen.length > 0 ? `, ${chosen.length} selected` : ''}
        </span>
        {chosen.length > 0 ? (
          <span className="actions">
            <a className="button primary" href={withQuery('/security/report/files', { org: orgId, reports: chosen })} download>
              Download ZIP ({chosen.length})
            </a>
            {/* Sharing hands reports outside the organisation: Administrators and Owners only, as the server enforces. */}
            {canUpload ? (
              <button type="button" onClick={() => setSharing(chosen)}>
                Share ({chosen.length})
              </button>
            ) : null}
          </span>
        ) : (
          <span className="hint">Select reports to download them as one ZIP.</span>
        )}
      </div>
      {sharing ? <ShareForm key={sharing.join()} orgId={orgId} reportIds={sharing} onClose={() => setSharing(null)} /> : null}
      <ErrorMessage message={list.error} onRetry={list.reload} />
      {list.loading && !list.data ? <Loading what="reports" /> : null}
      {list.data && reports.length === 0 ? <Empty>No reports match these filters.</Empty> : null}
      <ErrorMessage message={deleteError} />
      {reports.length > 0 ? (
        <ReportTable orgId={orgId} reports={reports} order={order} onOrder={setOrder} selected={selected} onSelect={setSelected} onDelete={canUpload ? (r) => void remove(r) : undefined} />
      ) : null}
      <FindingsSearch orgId={orgId} />
      {list.data ? <FindingsDiff orgId={orgId} reports={reports} /> : null}
      {list.data ? <FindingsTrends orgId={orgId} reports={reports} /> : null}
      {series.length > 0 ? (
        <section aria-labelledby="charts-title" className="charts">
          <h2 id="charts-title">Across versions</h2>
          <p className="hint">Per version: the highest vulnerability count and the worst rating among its reports.</p>
          <div className="chart-grid">
            {series.map((s) => (
              <ProjectChart key={s.projectName} series={s} />
            ))}
          </div>
        </section>
      ) : null}
    </section>
  );
}
