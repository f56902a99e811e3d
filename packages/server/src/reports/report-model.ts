import type { Database } from '../db/schema.js';
import { formatTimestamp } from '../shared/timestamp.js';

export const REPORT_FILE_KINDS = ['html', 'pdf'] as const;
export type ReportFileKind = (typeof REPORT_FILE_KINDS)[number];
export const SECURITY_RATINGS = ['A', 'B', 'C', 'D', 'E'] as const;

/** One report exactly as seed 000's list response and webhook payload carry it. */
export interface ReportListItem {
  projectName: string;
  id: string;
  reportType: string;
  reportVersion: number;
  projectVersion: string;
  date: string;
  uploadDate: string;
  vulnerabilitiesCount: number;
  securityRating: string;
}

export interface ReportFile {
  kind: ReportFileKind;
  fileName: string;
  mediaType: string;
  size: number;
  sha256: string;
  blobKey: string;
}

export interface ReportWithFiles extends ReportListItem {
  organizationId: string;
  files: ReportFile[];
}

/** The columns a list item is made of; the list query selects exactly these (plus its cursor's). */
export type ListItemRow = Pick<
  Database['reports'],
  'project_name' | 'id' | 'report_type' | 'report_version' | 'project_version' | 'date' | 'uploaded_at' | 'vulnerabilities_count' | 'security_rating'
>;

export function toListItem(row: ListItemRow): ReportListItem {
  return {
    projectName: row.project_name,
    id: row.id,
    reportType: row.report_type,
    reportVersion: row.report_version,
    projectVersion: row.project_version,
    date: row.date,
    uploadDate: formatTimestamp(row.uploaded_at),
    vulnerabilitiesCount: row.vulnerabilities_count,
    securityRating: row.security_rating,
  };
}

export function toReportFile(row: Database['report_files']): ReportFile {
  return {
    kind: row.kind as ReportFileKind,
    fileName: row.file_name,
    mediaType: row.media_type,
    size: row.size,
    sha256: row.sha256,
    blobKey: row.blob_key,
  };
}
