import type { AppContext } from '../context.js';
import { AppError, invalidParameter } from '../http/errors.js';
import {
  CWE_TOP_25_2024, OWASP_TOP_10_2021, gradeOf, isOpenVulnerability, type Finding, type ImpactSeverity, type SecurityRating, type SecurityReport,
} from '../ingest/sonarqube/report/index.js';
import { stageRenderedReport } from '../ingest/sonarqube/stage-rendered.js';
import type { FindingRecord, FindingSeverity, FindingStatus } from './finding-model.js';
import type { Listing, StagedFindings } from './sarif/staged-findings.js';

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

/** Open vulnerabilities a rendered report lists per category; the count covers them all. */
export const LISTED_PER_CATEGORY = 200;

const STANDARDS = [CWE_TOP_25_2024, OWASP_TOP_10_2021] as const;

/**
 * Where a stored finding appears in the reports Arkiv renders: each category of the CWE Top 25
 * and OWASP Top 10 it falls in, when it is an open vulnerability (the renderer's own rules,
 * build.ts), with the grade and location the lists are sorted by.
 */
export function sarifListings(f: FindingRecord): Listing[] {
  const finding = asRendererFinding(f);
  if (!isOpenVulnerability(finding)) return [];
  const grade = gradeOf(finding);
  return STANDARDS.flatMap((standard) => {
    const ids = new Set(standard.categoryIdsOf(finding));
    return standard.categories
      .filter((c) => ids.has(c.id))
      .map((c) => ({ standard: standard.reportType, category: c.id, grade, component: finding.component, line: finding.line ?? 0 }));
  });
}

/**
 * A SARIF-only upload: Arkiv renders the HTML and PDF itself with the SonarQube import's renderer,
 * as the CWE Top 25 (default) or OWASP Top 10 report, and the count and rating are the rendering's.
 * Counts and the rating are queries over the staged findings (each key once, as buildSecurityReports
 * counts); each category lists its LISTED_PER_CATEGORY worst, so the rendering's memory and size
 * do not grow with the log. Returns the metadata fields to validate and the staged files.
 */
export async function renderSarifOnly(ctx: AppContext, fields: SarifOnlyFields, findings: StagedFindings, startTime: string | undefined) {
  for (const computed of ['vulnerabilitiesCount', 'securityRating'] as const) {
    if (fields[computed] !== undefined) throw invalidParameter(`${computed} is computed from the SARIF file in an upload without html and pdf; leave it out`);
  }
  const reportType = fields.reportType?.trim() || 'CWE Top 25';
  const date = fields.date ?? (startTime && !Number.isNaN(Date.parse(startTime)) ? new Date(Date.parse(startTime)).toISOString() : new Date(ctx.now()).toISOString());
  const standard = STANDARDS.find((s) => s.reportType === reportType);
  if (!standard) {
    throw new AppError(400, 'unsupported_report_type', `Arkiv renders an upload without html and pdf as "CWE Top 25" or "OWASP Top 10", not "${reportType.slice(0, 60)}"; send html and pdf for other report types`);
  }
  if (fields.reportVersion !== undefined && fields.reportVersion.trim() !== String(standard.reportVersion)) {
    throw new AppError(400, 'unsupported_report_type', `Arkiv renders ${standard.reportType} as version ${standard.reportVersion}, not ${fields.reportVersion.slice(0, 20)}`);
  }
  const analysisDate = Number.isNaN(Date.parse(date)) ? ctx.now() : Date.parse(date);
  const counts = findings.categoryCounts(standard.reportType);
  const covered = findings.covered(standard.reportType);
  const report = {
    reportType: standard.reportType,
    reportVersion: standard.reportVersion,
    projectName: fields.projectName ?? '',
    projectVersion: fields.projectVersion ?? '',
    date: new Date(analysisDate).toISOString(),
    unread: [],
    vulnerabilitiesCount: covered.keys,
    securityRating: (covered.worstGrade ?? 'A') as SecurityRating,
    ratingSource: 'findings',
    categories: standard.categories.map((category) => ({
      ...category,
      vulnerabilities: findings.worst(standard.reportType, category.id, LISTED_PER_CATEGORY).map(asRendererFinding),
      vulnerabilityCount: counts.get(category.id) ?? 0,
      hotspots: [],
    })),
  } as SecurityReport;
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
