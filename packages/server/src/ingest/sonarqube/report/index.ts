/**
 * From SonarQube findings to the two security reports Arkiv stores per product version:
 * "CWE Top 25" (2024) and "OWASP Top 10" (2021), each as metadata plus an HTML and a PDF file.
 * Pure: no I/O, no clock. Fetching from SonarQube and storing the files live elsewhere.
 */
export type {
  CweTop25Report, Finding, Hotspot, Impact, ImpactSeverity, LegacySeverity, Measure, OwaspTop10Report,
  ReportCategory, SecurityRating, SecurityReport, SecurityReportInput, SecurityStandards, SoftwareQuality,
} from './model.js';
export {
  CWE_TOP_25_2024, CWE_TOP_25_2024_CATEGORIES, OWASP_TOP_10_2021, OWASP_TOP_10_2021_CATEGORIES, cweId, owaspTop10Id,
  type CategoryDefinition, type SecurityStandard,
} from './categories.js';
export { buildSecurityReports } from './build.js';
export { isListedHotspot, isOpen, isOpenVulnerability, isVulnerability } from './open-findings.js';
export { gradeOf, ratingOfMeasure } from './rating.js';
export { escapeHtml, renderHtml } from './render-html.js';
export { renderPdf } from './render-pdf-on-demand.js';
export { sampleFindings, type SampleOptions } from './sample.js';
