import { Command } from 'commander';
import { addDownloadCommand } from './commands/download.js';
import { addListCommand } from './commands/list.js';
import { addUploadCommand } from './commands/upload.js';
import { addVerifyCommand } from './commands/verify.js';
import { addSonarqubeCommand } from './sonarqube-command.js';
import { DEFAULT_SERVER } from './connection.js';
import type { CliIo } from './io.js';

const SERVER_HELP = `
Server commands (need @arkiv/server; run \`arkiv <command> --help\`):
  serve     run the API and background workers (--demo seeds demo data)
  worker    run background workers only
  migrate   apply database migrations
  org       create organisations (org create --name N [--json]), rotate their signing key
            (org rotate-signing-key --org ID)
  token     create API tokens (token create --org ID --scope read|upload|admin [--json])

Exit codes: 0 ok, 1 API or transfer error (the API's code is printed), 2 usage or configuration error.`;

/** The client commands of `arkiv`; usage errors throw (exitOverride) so main decides the exit code. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('arkiv')
    .description('Arkiv: upload, list and download security reports')
    .option('--server <url>', `Arkiv server URL [env ARKIV_URL, default ${DEFAULT_SERVER}]`)
    .option('--token <token>', 'API token [env ARKIV_TOKEN]')
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(run arkiv --help for usage)')
    .exitOverride()
    .addHelpText('after', SERVER_HELP);
  addUploadCommand(program, io);
  addListCommand(program, io);
  addDownloadCommand(program, io);
  addVerifyCommand(program, io);
  addSonarqubeCommand(program, io);
  // Subcommands made before exitOverride would not inherit it; set it on each one explicitly.
  for (const command of program.commands) command.exitOverride();
  return program;
}
