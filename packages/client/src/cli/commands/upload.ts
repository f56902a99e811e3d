import fs from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import type { ReportMetadata } from '../../types.js';
import { connect, type ConnectionOptions } from '../connection.js';
import { line, UsageError, type CliIo } from '../io.js';

interface UploadOptions extends ConnectionOptions, ReportMetadata {
  html: string;
  pdf: string;
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
    .description('Upload a report (HTML and PDF) with an upload or admin token; an existing identity is replaced')
    .requiredOption('--project-name <name>', 'product name, e.g. "Payments API"')
    .requiredOption('--project-version <semver>', 'product version, e.g. 2.0.0-beta.1')
    .requiredOption('--report-type <type>', 'e.g. "CWE Top 25" or "OWASP Top 10"')
    .requiredOption('--report-version <year>', 'edition of the report type, e.g. 2024', wholeNumber)
    .option('--date <iso-date>', 'analysis date, ISO 8601 with offset (default: now)')
    .requiredOption('--vulnerabilities-count <n>', 'open vulnerabilities', wholeNumber)
    .requiredOption('--security-rating <A-E>', 'security rating A (best) to E')
    .requiredOption('--html <file>', 'the HTML report')
    .requiredOption('--pdf <file>', 'the PDF report')
    .option('--json', 'print the stored report as JSON')
    .action(async (_options: UploadOptions, command: Command) => {
      const options = command.optsWithGlobals<UploadOptions>();
      const files = { html: readableFile('--html', options.html), pdf: readableFile('--pdf', options.pdf) };
      const client = connect(options, io, { needsToken: true });
      const { report, created } = await client.uploadReport(
        {
          projectName: options.projectName,
          projectVersion: options.projectVersion,
          reportType: options.reportType,
          reportVersion: options.reportVersion,
          date: options.date ?? new Date().toISOString().replace('Z', '+00:00'),
          vulnerabilitiesCount: options.vulnerabilitiesCount,
          securityRating: options.securityRating,
        },
        files,
      );
      if (options.json) return void line(io.stdout, JSON.stringify({ created, report }, null, 2));
      const what = `${report.projectName} ${report.projectVersion}, ${report.reportType} ${report.reportVersion}`;
      line(io.stdout, `${created ? 'created' : 'replaced'} report ${report.id} (${what})`);
    });
}
