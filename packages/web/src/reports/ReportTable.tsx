import { nextOrder, sortReports, type SortKey, type SortOrder } from '../lib/sort.ts';
import type { Report } from '../lib/types.ts';
import { ConfirmButton } from '../components/ConfirmButton.tsx';

const COLUMNS: Array<{ key: SortKey; label: string; numeric?: boolean }> = [
  { key: 'projectName', label: 'Project' },
  { key: 'projectVersion', label: 'Version' },
  { key: 'reportType', label: 'Type' },
  { key: 'reportVersion', label: 'Edition', numeric: true },
  { key: 'date', label: 'Analysed' },
  { key: 'uploadDate', label: 'Uploaded' },
  { key: 'vulnerabilitiesCount', label: 'Vulnerabilities', numeric: true },
  { key: 'securityRating', label: 'Rating' },
];

const formatDate = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(0, 16).replace('T', ' ');
};

/**
 * Sortable by every column (click or Enter on a header); rows selectable for the ZIP download;
 * each report's files downloadable one by one; Administrators may delete a report.
 */
export function ReportTable({ orgId, reports, order, onOrder, selected, onSelect, onDelete }: {
  orgId: string;
  reports: readonly Report[];
  order: SortOrder;
  onOrder: (order: SortOrder) => void;
  selected: ReadonlySet<string>;
  onSelect: (ids: Set<string>) => void;
  /** Present for Administrators and Owners only. */
  onDelete?: (report: Report) => void;
}) {
  const rows = sortReports(reports, order);
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onSelect(next);
  };
  return (
    <div className="table-scroll">
      <table className="reports">
        <caption className="visually-hidden">Reports, sorted by {COLUMNS.find((c) => c.key === order.key)?.label} {order.direction}</caption>
        <thead>
          <tr>
            <th scope="col">
              <input type="checkbox" aria-label="Select all reports" checked={allSelected} onChange={() => onSelect(allSelected ? new Set() : new Set(rows.map((r) => r.id)))} />
            </th>
            {COLUMNS.map((column) => (
              <th key={column.key} scope="col" aria-sort={order.key === column.key ? order.direction : undefined} className={column.numeric ? 'numeric' : undefined}>
                <button type="button" className="sort" onClick={() => onOrder(nextOrder(order, column.key))}>
                  {column.label}
                  <span aria-hidden="true">{order.key === column.key ? (order.direction === 'ascending' ? ' ▲' : ' ▼') : ''}</span>
                </button>
              </th>
            ))}
            <th scope="col">Files</th>
            {onDelete ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((report) => (
            <tr key={report.id} className={selected.has(report.id) ? 'selected' : undefined}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select ${report.projectName} ${report.projectVersion} ${report.reportType}`}
                  checked={selected.has(report.id)}
                  onChange={() => toggle(report.id)}
                />
              </td>
              <td>{report.projectName}</td>
              <td>{report.projectVersion}</td>
              <td>{report.reportType}</td>
              <td className="numeric">{report.reportVersion}</td>
              <td>{formatDate(report.date)}</td>
              <td>{formatDate(report.uploadDate)}</td>
              <td className="numeric">{report.vulnerabilitiesCount}</td>
              <td>
                <span className={`rating rating-${report.securityRating}`}>{report.securityRating}</span>
              </td>
              <td className="files">
                {(['html', 'pdf'] as const).map((kind) => (
                  <a key={kind} href={`/api/orgs/${orgId}/reports/${report.id}/files/${kind}`} download aria-label={`Download ${kind.toUpperCase()} of ${report.projectName} ${report.projectVersion} ${report.reportType}`}>
                    {kind.toUpperCase()}
                  </a>
                ))}
              </td>
              {onDelete ? (
                <td>
                  <ConfirmButton label="Delete" confirmLabel={`Delete ${report.projectName} ${report.projectVersion}`} onConfirm={() => onDelete(report)} />
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
