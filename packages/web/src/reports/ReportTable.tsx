import { nextOrder, sortReports, type SortKey, type SortOrder } from '../lib/sort.ts';
import type { Report } from '../lib/types.ts';

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

/** Sortable by every column (click or Enter on a header); rows selectable for the ZIP download. */
export function ReportTable({ reports, order, onOrder, selected, onSelect }: {
  reports: readonly Report[];
  order: SortOrder;
  onOrder: (order: SortOrder) => void;
  selected: ReadonlySet<string>;
  onSelect: (ids: Set<string>) => void;
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
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
