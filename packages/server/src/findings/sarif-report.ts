import type { AppContext } from '../context.js';
import { AppError, invalidParameter } from '../http/errors.js';
import { buildSecurityReports, type Finding, type ImpactSeverity } from '../ingest/sonarqube/report/index.js';
import { stageRenderedReport } from '../ingest/sonarqube/stage-rendered.js';
import type { FindingRecord, FindingSeverity, FindingStatus } from './finding-model.js';

const IMPACT: Readonly<Record<FindingSeverity, ImpactSeverity>> = { critical: 'BLOCKER', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFO' };
const ISSUE_STATUS: Readonly<Record<FindingStatus, NonNullable<Finding['issueStatus']>>> = { open: 'OPEN', accepted: 'ACCEPTED', false_positive: 'FALSE_POSITIVE', fixed: 'FIXED' };

/** Stored findings in the renderer's input shape: every SARIF result is a security finding, graded by its severity. */
function asRendererFinding(f: FindingRecord): Finding {
  return {
    key: f.fingerprint,
    rule: f.ruleId,
    component: f.file ?? '(no location)',
    ...(f.line !== null ? { line: f.line } : {}),
    message: f.message,
    impacts: [{ softwareQuality: 'SECURITY', severity: IMPACT[f.severity] }],
    issueStatus: ISSUE_STATUS[f.status],
    cwe: f.cwe.map(String),
    owaspTop10_2021: f.owasp,
  };
}

/** Fields a SARIF-only upload may send; the rest come from the rendering. */
export interface SarifOnlyFields {
  projectName?: string;
  projectVersion?: string;
  reportType?: string;
  reportVersion?: string;
  date?: string;
  vulnerabilitiesCount?: string;
  securityRating?: string;
}

/**
 * A SARIF-only upload: Arkiv renders the HTML and PDF itself with the SonarQube import's renderer,
 * as the CWE Top 25 (default) or OWASP Top 10 report, and the count and rating are the rendering's.
 * Returns the metadata fields to validate and the staged files.
 */
export async function renderSarifOnly(ctx: AppContext, fields: SarifOnlyFields, findings: readonly FindingRecord[], startTime: string | undefined) {
  for (const computed of ['vulnerabilitiesCount', 'securityRating'] as const) {
    if (fields[computed] !== undefined) throw invalidParameter(`${computed} is computed from the SARIF file in an upload without html and pdf; leave it out`);
  }
  const reportType = fields.reportType?.trim() || 'CWE Top 25';
  const date = fields.date ?? (startTime && !Number.isNaN(Date.parse(startTime)) ? new Date(Date.parse(startTime)).toISOString() : new Date(ctx.now()).toISOString());
  const built = buildSecurityReports({
    projectName: fields.projectName ?? '',
    projectVersion: fields.projectVersion ?? '',
    analysisDate: Number.isNaN(Date.parse(date)) ? new Date(ctx.now()).toISOString() : date,
    findings: findings.map(asRendererFinding),
    hotspots: [],
  });
  const report = built.find((r) => r.reportType === reportType);
  if (!report) {
    throw new AppError(400, 'unsupported_report_type', `Arkiv renders an upload without html and pdf as "CWE Top 25" or "OWASP Top 10", not "${reportType.slice(0, 60)}"; send html and pdf for other report types`);
  }
  if (fields.reportVersion !== undefined && fields.reportVersion.trim() !== String(report.reportVersion)) {
    throw new AppError(400, 'unsupported_report_type', `Arkiv renders ${report.reportType} as version ${report.reportVersion}, not ${fields.reportVersion.slice(0, 20)}`);
  }
  const metadataFields = {
    ...fields,
    reportType: report.reportType,
    reportVersion: String(report.reportVersion),
    date,
    vulnerabilitiesCount: String(report.vulnerabilitiesCount),
    securityRating: report.securityRating,
  };
  return { metadataFields, render: () => stageRenderedReport(ctx, report) };
}
