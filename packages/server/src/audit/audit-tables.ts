/** Audit log tables (migration 0011_audit_log). Epoch-ms bigints, JSON as text, as in the core. */
export interface AuditLogTable {
  org_id: string;
  /** 1, 2, 3, … within the organisation: the position in its chain. */
  seq: number;
  /** Epoch ms; never decreases along a chain (see appendAudit). */
  at: number;
  action: string;
  actor_kind: string;
  actor_id: string | null;
  actor_label: string | null;
  address: string | null;
  /** Canonical JSON (RFC 8785) of the entry's details object. */
  details: string;
  /** SHA-256 hex of the previous entry; 64 zeros for the first. */
  prev_hash: string;
  /** SHA-256 hex of this entry's canonical serialisation (audit-chain.ts). */
  hash: string;
}

/** The last entry of each organisation's chain: the row appends lock, and what verification ends on. */
export interface AuditHeadsTable {
  org_id: string;
  seq: number;
  at: number;
  hash: string;
}

declare module '../db/schema.js' {
  interface Database {
    audit_log: AuditLogTable;
    audit_heads: AuditHeadsTable;
  }
}
