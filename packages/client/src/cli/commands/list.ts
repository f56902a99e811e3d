import type { Command } from 'commander';
import { connect, orgOf, type ConnectionOptions } from '../connection.js';
import { line, type CliIo } from '../io.js';
import { formatReportTable } from '../table.js';

/** Lowest semver precedence there is: `list` without a version filter shows every report. */
const LOWEST_VERSION = '0.0.0-0';

interface ListOptions extends ConnectionOptions {
  org?: string;
  version?: string;
  minver?: string;
  maxver?: string;
  projectName?: string;
  reportType?: string;
  uploadedSince?: string;
  json?: boolean;
}

export function addListCommand(program: Command, io: CliIo): void {
  program
    .command('list')
    .description('List reports of an organisation (every match, page by page)')
    .option('--org <id>', 'organisation id [env ARKIV_ORG]')
    .option('--version <semver>', 'exact product version ("1.0" matches 1.0.0)')
    .option('--minver <semver>', 'lowest product version, inclusive')
    .option('--maxver <semver>', 'highest product version, inclusive')
    .option('--project-name <name>', 'only this project')
    .option('--report-type <type>', 'only this report type, e.g. "CWE Top 25"')
    .option('--uploaded-since <iso-date>', 'only reports uploaded at or after this time')
    .option('--json', 'print the API response as JSON')
    .addHelpText('after', '\nWithout --version, --minver or --maxver every version is listed.')
    .action(async (_options: ListOptions, command: Command) => {
      const options = command.optsWithGlobals<ListOptions>();
      const client = connect(options, io);
      const noFilter = options.version === undefined && options.minver === undefined && options.maxver === undefined;
      const result = await client.listAllReports({
        org: orgOf(options, io),
        version: options.version,
        minver: noFilter ? LOWEST_VERSION : options.minver,
        maxver: options.maxver,
        projectName: options.projectName,
        reportType: options.reportType,
        uploadedSince: options.uploadedSince,
      });
      if (options.json) return void line(io.stdout, JSON.stringify(result, null, 2));
      if (result.reports.length === 0) return void line(io.stderr, 'no reports match');
      line(io.stdout, formatReportTable(result.reports));
    });
}
