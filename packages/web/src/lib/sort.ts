import type { Report } from './types.ts';
import { compareVersions } from './versions.ts';

export type SortKey = 'projectName' | 'projectVersion' | 'reportType' | 'reportVersion' | 'date' | 'uploadDate' | 'vulnerabilitiesCount' | 'securityRating';
export interface SortOrder {
  key: SortKey;
  direction: 'ascending' | 'descending';
}

const byKey: Record<SortKey, (a: Report, b: Report) => number> = {
  projectName: (a, b) => a.projectName.localeCompare(b.projectName),
  projectVersion: (a, b) => compareVersions(a.projectVersion, b.projectVersion),
  reportType: (a, b) => a.reportType.localeCompare(b.reportType),
  reportVersion: (a, b) => a.reportVersion - b.reportVersion,
  date: (a, b) => Date.parse(a.date) - Date.parse(b.date),
  uploadDate: (a, b) => Date.parse(a.uploadDate) - Date.parse(b.uploadDate),
  vulnerabilitiesCount: (a, b) => a.vulnerabilitiesCount - b.vulnerabilitiesCount,
  // A is the best rating; ascending means best first.
  securityRating: (a, b) => a.securityRating.localeCompare(b.securityRating),
};

/**
 * Sorts a copy; ties fall back to project, then version, then id, so the order is total and
 * stable across reloads whatever order the API returned.
 */
export function sortReports(reports: readonly Report[], order: SortOrder): Report[] {
  const sign = order.direction === 'ascending' ? 1 : -1;
  return [...reports].sort(
    (a, b) =>
      sign * byKey[order.key](a, b) ||
      byKey.projectName(a, b) ||
      byKey.projectVersion(a, b) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** Clicking a column header: a new column sorts ascending, the same column flips. */
export function nextOrder(current: SortOrder, key: SortKey): SortOrder {
  if (current.key !== key) return { key, direction: 'ascending' };
  return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
}
