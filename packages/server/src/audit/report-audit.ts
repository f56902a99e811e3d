import type { ReportChangeHook, ReportChangeType } from '../reports/report-hooks.js';
import { actorOfInitiator, appendAudit, type AuditAction } from './audit-log.js';

const ACTIONS: Record<ReportChangeType, AuditAction> = {
  'report.created': 'report.upload',
  'report.updated': 'report.replace',
  'report.deleted': 'report.delete',
};

/**
 * Records every report upload, replacement and deletion, one entry per report, inside the
 * transaction that makes the change. Installed after every other hook: the audit head is the
 * last lock a report transaction takes (see appendAudit).
 */
export const auditReportChanges: ReportChangeHook = async (trx, change) => {
  await appendAudit(
    trx,
    change.reports.map((report) => ({
      orgId: change.orgId,
      action: ACTIONS[change.type],
      actor: change.actor ?? actorOfInitiator(change.initiator),
      address: change.address ?? null,
      details: {
        reportId: report.id,
        projectName: report.projectName,
        projectVersion: report.projectVersion,
        reportType: report.reportType,
        reportVersion: report.reportVersion,
      },
      at: change.at,
    })),
  );
};
