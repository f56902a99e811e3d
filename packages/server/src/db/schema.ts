/**
 * Table shapes as Kysely sees them. Both dialects store the same values:
 * - timestamps as epoch milliseconds (bigint), formatted at the edge;
 * - booleans as 0/1 integers (SQLite has no boolean type);
 * - ids as UUID strings in text columns.
 * Features add their own tables; each feature's interface is merged into Database here.
 */
import type { Generated } from 'kysely';

export interface OrganizationsTable {
  id: string;
  name: string;
  require_read_token: number;
  /** Migration 0013: members without a second factor are refused this organisation's data. */
  require_mfa: Generated<number>;
  created_at: number;
  /** Incremented by every report change of the organisation (see reports/list-cache.ts). */
  reports_revision: Generated<number>;
}

export interface ApiTokensTable {
  id: string;
  org_id: string;
  name: string;
  /** Space-separated scopes: read, upload, admin. */
  scopes: string;
  /** SHA-256 hex of the whole token; the token itself is never stored. */
  token_hash: string;
  /** First characters of the token, shown in listings so users can tell tokens apart. */
  token_prefix: string;
  created_by: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface ReportsTable {
  id: string;
  org_id: string;
  project_name: string;
  /** The version exactly as uploaded; version_key is what queries compare. */
  project_version: string;
  /** Sortable encoding of the semantic version's precedence (see reports/versions.ts). */
  version_key: string;
  report_type: string;
  report_version: number;
  /** Analysis date as given (ISO 8601), and as epoch ms for filtering. */
  date: string;
  date_ms: number;
  uploaded_at: number;
  vulnerabilities_count: number;
  security_rating: string;
}

export interface ReportFilesTable {
  report_id: string;
  kind: string;
  file_name: string;
  media_type: string;
  size: number;
  sha256: string;
  blob_key: string;
}

export interface BlobChunksTable {
  blob_key: string;
  seq: number;
  data: Buffer;
}

export interface BlobsTable {
  blob_key: string;
  size: number;
  sha256: string;
  created_at: number;
}

export interface CoreTables {
  organizations: OrganizationsTable;
  api_tokens: ApiTokensTable;
  reports: ReportsTable;
  report_files: ReportFilesTable;
  blobs: BlobsTable;
  blob_chunks: BlobChunksTable;
}

/**
 * Features add their tables by module augmentation in their own schema file:
 *   declare module '../db/schema.js' { interface Database { webhooks: WebhooksTable } }
 */
export interface Database extends CoreTables {}
