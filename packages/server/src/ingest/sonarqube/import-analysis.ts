import type { AppContext } from '../../context.js';
import { validateReportMetadata } from '../../reports/report-input.js';
import type { ReportListItem } from '../../reports/report-model.js';
import { storeReports, type ReportToStore } from '../../reports/report-store.js';
import { checkFileContent, publishStagedFiles } from '../../reports/upload.js';
import { pdfBufferProblem } from '../../reports/pdf-structure.js';
import { collectAnalysis, type AnalysisRequest } from './collect-analysis.js';
import { buildSecurityReports } from './report/index.js';
import { stageRenderedReport } from './stage-rendered.js';
import type { SonarApi } from './sonar-api.js';
import { sonarFindings } from './sonar-findings.js';

export interface ImportResult {
  created: boolean[];
  reports: ReportListItem[];
  /** Whether the stored PDFs are SonarQube's own security report (Enterprise) rather than Arkiv's rendering. */
  sonarqubePdf: boolean;
  /** Findings SonarQube counted but could not serve (past its 10 000 window); the reports say so too. Empty when none. */
  unread: string[];
}

/**
 * Imports one SonarQube analysis as the two reports of seed 000 ("CWE Top 25" 2024, "OWASP Top 10"
 * 2021), each an HTML file (Arkiv's rendering) and a PDF (SonarQube's own when the server offers it,
 * else Arkiv's rendering). Stored exactly like an upload: files staged and published to the blob
 * store first, then both reports in ONE storeReports call, so subscribers get one event carrying both.
 */
export async function importSonarAnalysis(
  ctx: AppContext,
  input: { api: SonarApi; request: AnalysisRequest; orgId: string; initiator: string },
): Promise<ImportResult> {
  const collected = await collectAnalysis(input.api, input.request);
  // The same content check an upload gets: a body that is not a PDF (an HTML error page behind a
  // proxy, anything a server sends) is never stored as application/pdf; Arkiv's rendering replaces it.
  const refusal = collected.sonarPdf && (checkFileContent('pdf', 'application/pdf', collected.sonarPdf.subarray(0, 16)) ?? (await pdfBufferProblem(collected.sonarPdf)));
  if (refusal) {
    ctx.log.warn({ orgId: input.orgId, projectKey: input.request.projectKey, reason: refusal }, "SonarQube's security report download is not a PDF; storing Arkiv's rendering instead");
    collected.sonarPdf = undefined;
  }
  const built = buildSecurityReports(collected.input);
  const findings = sonarFindings(collected.input);
  const toStore: ReportToStore[] = [];
  for (const report of built) {
    const metadata = validateReportMetadata({ ...report });
    const files = await publishStagedFiles(ctx, await stageRenderedReport(ctx, report, collected.sonarPdf));
    toStore.push({ metadata, files, findings });
  }
  const stored = await storeReports(ctx.db, ctx.reportHooks, { orgId: input.orgId, reports: toStore, initiator: input.initiator, now: ctx.now() });
  return {
    created: stored.map((s) => s.created),
    reports: stored.map(({ report: { organizationId: _o, files: _f, ...item } }) => item),
    sonarqubePdf: collected.sonarPdf !== undefined,
    unread: collected.input.unread ?? [],
  };
}
