import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ReportListItem } from './report-model.js';
import type { FindingsDelta } from '../findings/finding-model.js';
import type { AuditActor } from '../audit/audit-chain.js';

export type ReportChangeType = 'report.created' | 'report.updated' | 'report.deleted';

export interface ReportChange {
  type: ReportChangeType;
  orgId: string;
  reports: ReportListItem[];
  /** token:<id>, user:<id> or system. */
  initiator: string;
  /** Epoch ms of the change, the same for every report in it. */
  at: number;
  /** report.created only: per report id, open findings new and fixed against the previous version. */
  findingsDelta?: Readonly<Record<string, FindingsDelta>>;
  /** Who caused it, for the audit log (with a label the initiator lacks); from the initiator when absent. */
  actor?: AuditActor;
  /** The client address of the request that caused it, if any. */
  address?: string | null;
}

/**
 * Runs inside the transaction that changes the reports: whatever a hook writes (the webhook
 * outbox, an audit row) commits or rolls back together with the reports themselves.
 */
export type ReportChangeHook = (trx: Transaction<Database>, change: ReportChange) => Promise<void>;
