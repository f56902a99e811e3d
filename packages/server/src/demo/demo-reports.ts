import { Readable } from 'node:stream';
import type { AppContext } from '../context.js';
import { discardStaged, stageStream } from '../blobs/staging.js';
import { buildSecurityReports, renderHtml, renderPdf, sampleFindings, type Finding, type Hotspot, type SecurityReport } from '../ingest/sonarqube/report/index.js';
import { sonarFindings } from '../ingest/sonarqube/sonar-findings.js';
import type { FindingRecord } from '../findings/finding-model.js';
import { validateReportMetadata } from '../reports/report-input.js';
import type { ReportFile, ReportFileKind } from '../reports/report-model.js';
import type { ReportToStore } from '../reports/report-store.js';
import { DEMO_RELEASES, type DemoRelease } from './demo-catalogue.js';

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-|-$/g, '');

/** Findings each product draws its releases' findings from. */
const POOL = { findings: 48, hotspots: 10 };

/**
 * The findings of one release: a window of its product's pool. Item j of the pool appears in the
 * product's release `born(j)` and stays for `life(j)` releases (catalogue order, semver order
 * within a product), so consecutive versions share SonarQube keys: the Diff view finds new, fixed
 * and unchanged findings, Trends a curve and Search the same finding across versions. Fixed
 * arithmetic, no randomness: the same release always gets the same findings.
 */
export function releaseSample(release: DemoRelease, releases: readonly DemoRelease[]): { findings: Finding[]; hotspots: Hotspot[] } {
  if (release.findings === 0) return { findings: [], hotspots: [] };
  const siblings = releases.filter((r) => r.projectName === release.projectName);
  const index = siblings.indexOf(release);
  const n = siblings.length;
  const pool = sampleFindings(`${release.projectName} findings`, { projectKey: slug(release.projectName), ...POOL });
  const present = (_: unknown, j: number) => {
    // Knuth's multiplicative hash spreads births and lifetimes independently of each other.
    const h = Math.imul(j + 1, 2654435761) >>> 0;
    const born = h % n;
    return born <= index && index < born + 1 + ((h >>> 8) % n);
  };
  return { findings: pool.findings.filter(present), hotspots: pool.hotspots.filter(present) };
}

/**
 * The two reports of one demo release with real HTML and PDF files, built by the SonarQube report
 * module from the release's findings (same release, same bytes), and those findings stored as the
 * SonarQube import stores them. Files go through the upload path: staged, hashed, put into the
 * content-addressed blob store.
 */
export async function demoReportsOf(ctx: AppContext, release: DemoRelease): Promise<ReportToStore[]> {
  const input = {
    projectName: release.projectName,
    projectVersion: release.projectVersion,
    analysisDate: release.analysisDate,
    ...releaseSample(release, DEMO_RELEASES),
  };
  const [cwe, owasp] = buildSecurityReports(input);
  const findings = sonarFindings(input);
  return [await toStore(ctx, release, cwe, findings, release.ids?.cwe), await toStore(ctx, release, owasp, findings, release.ids?.owasp)];
}

async function toStore(ctx: AppContext, release: DemoRelease, report: SecurityReport, findings: FindingRecord[], id: string | undefined): Promise<ReportToStore> {
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
  return { metadata, files, findings, ...(id === undefined ? {} : { id }) };
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
