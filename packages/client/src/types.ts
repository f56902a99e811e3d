/**
 * Wire shapes of the Arkiv API, as the server's route schemas define them. Field names and types
 * of `ReportListItem` are seed 000's contract: the client must never rename or retype them.
 */

/** One report as `GET /security/report/list` and the webhook payloads carry it. */
export interface ReportListItem {
  projectName: string;
  id: string;
  reportType: string;
  reportVersion: number;
  projectVersion: string;
  /** Analysis date, ISO 8601 as uploaded. */
  date: string;
  uploadDate: string;
  vulnerabilitiesCount: number;
  securityRating: string;
}

export interface ListReportsQuery {
  org: string;
  /** Exact version by semver precedence ("1.0" == "1.0.0"). At least one of version/minver/maxver. */
  version?: string;
  minver?: string;
  maxver?: string;
  projectName?: string;
  reportType?: string;
  uploadedSince?: string | Date;
  /** Page size; without it the server returns every match. */
  limit?: number;
  cursor?: string;
}

export interface ListReportsResponse {
  organizationId: string;
  reports: ReportListItem[];
  /** Present when `limit` was given; null on the last page. */
  nextCursor?: string | null;
}

/** Metadata of an upload: the list item's field names. */
export interface ReportMetadata {
  projectName: string;
  projectVersion: string;
  reportType: string;
  reportVersion: number;
  date: string;
  vulnerabilitiesCount: number;
  securityRating: string;
}

export interface StoredReportFile {
  kind: 'html' | 'pdf';
  fileName: string;
  mediaType: string;
  size: number;
  sha256: string;
}

export interface StoredReport extends ReportListItem {
  organizationId: string;
  files: StoredReportFile[];
}

export type Scope = 'read' | 'upload' | 'admin';

export interface Organization {
  id: string;
  name: string;
  requireReadToken: boolean;
  createdAt: string;
}

export interface ApiToken {
  id: string;
  name: string;
  scopes: Scope[];
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedToken {
  id: string;
  /** The secret: the server shows it in this response only. */
  token: string;
  name: string;
  scopes: Scope[];
}

/** Body of an `application/problem+json` error response. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  code: string;
  message: string;
  detail?: string;
  details?: unknown;
}
