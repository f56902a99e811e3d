import type { Command } from 'commander';
import { HttpTransport } from '../http.js';
import type { ImportResult } from '../types.js';
import { connect, type ConnectionOptions } from './connection.js';
import { line, UsageError, type CliIo } from './io.js';

interface ImportOptions extends ConnectionOptions {
  sonarUrl?: string;
  sonarToken?: string;
  project: string;
  branch?: string;
  version?: string;
  projectName?: string;
  json?: boolean;
}

/**
 * `arkiv sonarqube import`: asks the Arkiv server to read one SonarQube analysis and store its
 * "CWE Top 25" and "OWASP Top 10" reports (POST /security/report/sonarqube). The server does the
 * reading, building and storing, so the CLI and the server's webhook/connection imports share one
 * implementation and both reports are stored in one transaction (one webhook event). The SonarQube
 * token travels to Arkiv for this request only and is never stored. SONAR_HOST_URL and SONAR_TOKEN
 * are the variables SonarScanner already uses in CI.
 */
export function addSonarqubeCommand(program: Command, io: CliIo): void {
  const sonarqube = program.command('sonarqube').description('Import security reports from SonarQube');
  sonarqube
    .command('import')
    .description('Import a SonarQube analysis as the "CWE Top 25" and "OWASP Top 10" reports (upload or admin token)')
    .option('--sonar-url <url>', 'SonarQube server URL [env SONAR_HOST_URL]')
    .option('--sonar-token <token>', 'SonarQube user token with Browse permission [env SONAR_TOKEN]')
    .requiredOption('--project <key>', 'SonarQube project key')
    .option('--branch <name>', 'branch to import (default: the main branch)')
    .option('--version <semver>', "product version to file the reports under (default: the analysis's sonar.projectVersion)")
    .option('--project-name <name>', "Arkiv projectName (default: SonarQube's project name)")
    .option('--json', 'print the stored reports as JSON')
    .action(async (_options: ImportOptions, command: Command) => {
      const options = command.optsWithGlobals<ImportOptions>();
      const sonarUrl = options.sonarUrl ?? io.env.SONAR_HOST_URL;
      const sonarToken = options.sonarToken ?? io.env.SONAR_TOKEN;
      if (!sonarUrl) throw new UsageError('name the SonarQube server: pass --sonar-url or set SONAR_HOST_URL');
      if (!sonarToken) throw new UsageError('this command needs a SonarQube token: pass --sonar-token or set SONAR_TOKEN');
      const client = connect(options, io, { needsToken: true });
      const http = new HttpTransport({ baseUrl: client.baseUrl, token: options.token ?? io.env.ARKIV_TOKEN });
      const result = await http.json<ImportResult>('POST', '/security/report/sonarqube', {
        json: {
          sonarUrl, sonarToken, projectKey: options.project,
          ...(options.branch ? { branch: options.branch } : {}),
          ...(options.version ? { version: options.version } : {}),
          ...(options.projectName ? { projectName: options.projectName } : {}),
        },
      });
      if (options.json) return void line(io.stdout, JSON.stringify(result, null, 2));
      for (const r of result.reports) {
        line(io.stdout, `stored ${r.reportType} ${r.reportVersion} for ${r.projectName} ${r.projectVersion}: ${r.vulnerabilitiesCount} vulnerabilities, rating ${r.securityRating} (${r.id})`);
      }
      if (result.sonarqubePdf) line(io.stdout, "PDFs: SonarQube's own security report");
      // Stored anyway, but an operator must know the reports miss findings.
      for (const what of result.unread ?? []) line(io.stderr, `warning: incomplete import: ${what}`);
    });
  sonarqube.commands.forEach((c) => c.exitOverride());
  sonarqube.exitOverride();
}
