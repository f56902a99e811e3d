import { CommanderError } from 'commander';
import { ArkivApiError, ArkivTransportError } from '../errors.js';
import { Interrupted } from './commands/download.js';
import { EXIT, line, UsageError, type CliIo } from './io.js';
import { buildProgram } from './program.js';
import { loadServer, SERVER_COMMANDS } from './server-commands.js';

/**
 * Runs `arkiv` and resolves with the exit code, or with undefined when a server command took
 * over: `serve` keeps running after its setup resolves, so nobody may call process.exit then.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number | undefined> {
  if (argv[0] !== undefined && SERVER_COMMANDS.has(argv[0])) {
    const server = await loadServer();
    if (!server) {
      line(io.stderr, `arkiv: "${argv[0]}" is a server command; install @arkiv/server to use it`);
      return EXIT.usage;
    }
    try {
      await server.runAdminCli(argv);
    } catch (error) {
      // A failure while setting up (database unreachable, port taken): one line, no stack trace.
      return reportError(error, io);
    }
    return undefined;
  }
  try {
    await buildProgram(io).parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander has printed the message already; help and version are not failures.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof UsageError) {
    line(io.stderr, `arkiv: ${error.message}`);
    return EXIT.usage;
  }
  if (error instanceof Interrupted) {
    line(io.stderr, 'arkiv: interrupted; the partial download was removed');
    return EXIT.interrupted;
  }
  if (error instanceof ArkivApiError) {
    line(io.stderr, `arkiv: ${error.code}: ${error.message} (HTTP ${error.status})`);
    return EXIT.apiError;
  }
  const message = error instanceof ArkivTransportError || error instanceof Error ? error.message : String(error);
  line(io.stderr, `arkiv: ${message}`);
  return EXIT.apiError;
}
