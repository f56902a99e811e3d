/** Tables of share links (migration 0015_shares): epoch-ms bigint timestamps, UUID text ids. */
export interface SharesTable {
  id: string;
  /** SHA-256 hex of the link's token: the database never holds a usable link. */
  token_hash: string;
  org_id: string;
  /** For the organisation's administrators (who the link is for, why); never shown to viewers. */
  note: string;
  /** Who created it: a user (a session) or an API token; null once that user or token is gone. */
  created_by_user: string | null;
  created_by_token: string | null;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  /** Every successful request through the link (list, ZIP, single files), counted atomically. */
  access_count: number;
  /** The downloads among them (ZIP and single files). */
  download_count: number;
  last_access_at: number | null;
}

export interface ShareReportsTable {
  share_id: string;
  report_id: string;
  /** The order the creator listed the reports in: the share lists and archives them so. */
  position: number;
}

declare module '../db/schema.js' {
  interface Database {
    shares: SharesTable;
    share_reports: ShareReportsTable;
  }
}
