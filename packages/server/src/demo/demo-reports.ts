import { Readable } from 'node:stream';
import type { AppContext } from '../context.js';
import { discardStaged, stageStream } from '../blobs/staging.js';
import { buildSecurityReports, renderHtml, renderPdf, sampleFindings, type SecurityReport } from '../ingest/sonarqube/report/index.js';
import { validateReportMetadata } from '../reports/report-input.js';
import type { ReportFile, ReportFileKind } from '../reports/report-model.js';
import type { ReportToStore } from '../reports/report-store.js';
import type { DemoRelease } from './demo-catalogue.js';

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-|-$/g, '');

/**
 * The two reports of one demo release with real HTML and PDF files, built by the SonarQube report
 * module from sample findings seeded by "<project>@<version>" (same release, same bytes).
 * Files go through the upload path: staged, hashed, put into the content-addressed blob store.
 */
export async function demoReportsOf(ctx: AppContext, release: DemoRelease): Promise<ReportToStore[]> {
  const sample = sampleFindings(`${release.projectName}@${release.projectVersion}`, {
    projectKey: slug(release.projectName),
    ...(release.findings === undefined ? {} : { findings: release.findings }),
  });
  const [cwe, owasp] = buildSecurityReports({
    projectName: release.projectName,
    projectVersion: release.projectVersion,
    analysisDate: release.analysisDate,
    ...sample,
  });
  return [await toStore(ctx, release, cwe, release.ids?.cwe), await toStore(ctx, release, owasp, release.ids?.owasp)];
}

async function toStore(ctx: AppContext, release: DemoRelease, report: SecurityReport, id: string | undefined): Promise<ReportToStore> {
  const metadata = validateReportMetadata({
    projectName: report.projectName,
    projectVersion: report.projectVersion,
    reportType: report.reportType,
    reportVersion: report.reportVersion,
    // The release's own text, not the renderer's UTC form: the seed's example date keeps its 7 digits.
    date: release.analysisDate,
    vulnerabilitiesCount: report.vulnerabilitiesCount,
    securityRating: report.securityRating,
  });
  const base = `${slug(report.projectName)}-${slug(report.projectVersion)}-${slug(report.reportType)}-${report.reportVersion}`;
  const files = [
    await publish(ctx, 'html', `${base}.html`, 'text/html', Buffer.from(renderHtml(report), 'utf8')),
    await publish(ctx, 'pdf', `${base}.pdf`, 'application/pdf', await renderPdf(report)),
  ];
  return { metadata, files, ...(id === undefined ? {} : { id }) };
}

async function publish(ctx: AppContext, kind: ReportFileKind, fileName: string, mediaType: string, bytes: Buffer): Promise<ReportFile> {
  const staged = await stageStream(Readable.from([bytes]), ctx.stagingDir, ctx.config.maxUploadBytes);
  try {
    const blobKey = await ctx.blobs.put(staged);
    return { kind, fileName, mediaType, size: staged.size, sha256: staged.sha256, blobKey };
  } finally {
    await discardStaged(staged);
  }
}
