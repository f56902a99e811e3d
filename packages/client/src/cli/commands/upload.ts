import fs from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import type { ReportMetadata, SarifOnlyMetadata } from '../../types.js';
import { connect, type ConnectionOptions } from '../connection.js';
import { line, UsageError, type CliIo } from '../io.js';

interface UploadOptions extends ConnectionOptions, Partial<ReportMetadata> {
  projectName: string;
  projectVersion: string;
  html?: string;
  pdf?: string;
  sarif?: string;
  json?: boolean;
}

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return Number(value);
}

/** Local files are checked before anything is sent: a typo is a usage error (2), not an API error. */
function readableFile(flag: string, filePath: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(filePath);
  } catch {
    throw new UsageError(`${flag} ${filePath}: no such file`);
  }
  if (!stat.isFile()) throw new UsageError(`${flag} ${filePath}: not a regular file`);
  return filePath;
}

export function addUploadCommand(program: Command, io: CliIo): void {
  program
    .command('upload')
    .description('Upload a report (HTML and PDF, and optionally its findings as SARIF; or a SARIF file alone, which Arkiv renders) with an upload or admin token; an existing identity is replaced')
    .requiredOption('--project-name <name>', 'product name, e.g. "Payments API"')
    .requiredOption('--project-version <semver>', 'product version, e.g. 2.0.0-beta.1')
    .option('--report-type <type>', 'e.g. "CWE Top 25" or "OWASP Top 10" (required with --html/--pdf; with --sarif alone, default "CWE Top 25")')
    .option('--report-version <year>', 'edition of the report type, e.g. 2024 (required with --html/--pdf)', wholeNumber)
    .option('--date <iso-date>', 'analysis date, ISO 8601 with offset (default: now; with --sarif alone, the SARIF run\'s start time)')
    .option('--vulnerabilities-count <n>', 'open vulnerabilities (required with --html/--pdf; computed with --sarif alone)', wholeNumber)
    .option('--security-rating <A-E>', 'security rating A (best) to E (required with --html/--pdf; computed with --sarif alone)')
    .option('--html <file>', 'the HTML report')
    .option('--pdf <file>', 'the PDF report')
    .option('--sarif <file>', 'the findings, SARIF 2.1.0 (alone: Arkiv renders the HTML and PDF)')
    .option('--json', 'print the stored report as JSON')
    .action(async (_options: UploadOptions, command: Command) => {
      const options = command.optsWithGlobals<UploadOptions>();
      const sarif = options.sarif === undefined ? undefined : readableFile('--sarif', options.sarif);
      const client = connect(options, io, { needsToken: true });
      const { report, created } = options.html === undefined && options.pdf === undefined && sarif !== undefined
        ? await client.uploadReport(sarifOnlyMetadata(options), { sarif })
        : await client.uploadReport(fullMetadata(options), {
            html: readableFile('--html', required(options.html, '--html')),
            pdf: readableFile('--pdf', required(options.pdf, '--pdf')),
            ...(sarif ? { sarif } : {}),
          });
      if (options.json) return void line(io.stdout, JSON.stringify({ created, report }, null, 2));
      const what = `${report.projectName} ${report.projectVersion}, ${report.reportType} ${report.reportVersion}`;
      line(io.stdout, `${created ? 'created' : 'replaced'} report ${report.id} (${what})`);
    });
}

function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new UsageError(`${flag} is required (or upload --sarif alone and Arkiv renders the HTML and PDF)`);
  return value;
}

function fullMetadata(options: UploadOptions): ReportMetadata {
  return {
    projectName: options.projectName,
    projectVersion: options.projectVersion,
    reportType: required(options.reportType, '--report-type'),
    reportVersion: required(options.reportVersion, '--report-version'),
    date: options.date ?? new Date().toISOString().replace('Z', '+00:00'),
    vulnerabilitiesCount: required(options.vulnerabilitiesCount, '--vulnerabilities-count'),
    securityRating: required(options.securityRating, '--security-rating'),
  };
}

/** The server computes the count and rating from the SARIF; giving them is a usage error. */
function sarifOnlyMetadata(options: UploadOptions): SarifOnlyMetadata {
  if (options.vulnerabilitiesCount !== undefined || options.securityRating !== undefined) {
    throw new UsageError('--vulnerabilities-count and --security-rating are computed from --sarif when no --html and --pdf are given; leave them out');
  }
  return {
    projectName: options.projectName,
    projectVersion: options.projectVersion,
    ...(options.reportType !== undefined ? { reportType: options.reportType } : {}),
    ...(options.reportVersion !== undefined ? { reportVersion: options.reportVersion } : {}),
    ...(options.date !== undefined ? { date: options.date } : {}),
  };
}
