import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ArkivApiError } from '../../errors.js';
import { connect, orgOf, type ConnectionOptions } from '../connection.js';
import { line, UsageError, type CliIo } from '../io.js';
import { formatBytes, progressBar } from '../progress.js';
import { saveStream } from '../save-stream.js';

interface DownloadOptions extends ConnectionOptions {
  org?: string;
  reports: string[];
  out?: string;
}

/** Thrown when the user interrupts: the partial file is gone and main exits with 130. */
export class Interrupted extends Error {
  override name = 'Interrupted';
}

export function addDownloadCommand(program: Command, io: CliIo): void {
  program
    .command('download')
    .description('Download reports (HTML, PDF, manifest.json) as one ZIP, streamed to disk')
    .option('--org <id>', 'organisation id [env ARKIV_ORG]')
    .requiredOption('--reports <id...>', 'report ids')
    .option('--out <file>', 'where to save the ZIP (default: the server\'s file name, in this directory)')
    .action(async (_options: DownloadOptions, command: Command) => {
      const options = command.optsWithGlobals<DownloadOptions>();
      const client = connect(options, io);
      const org = orgOf(options, io);
      if (options.out !== undefined && !isDirectory(path.dirname(path.resolve(options.out)))) {
        throw new UsageError(`--out ${options.out}: the directory does not exist`);
      }
      const abort = new AbortController();
      // Ctrl-C must still remove the partial file: abort the transfer and let saveStream clean up.
      const onInterrupt = () => abort.abort(new Interrupted('interrupted'));
      process.once('SIGINT', onInterrupt);
      process.once('SIGTERM', onInterrupt);
      try {
        const archive = await client.downloadArchive({ org, reports: options.reports, signal: abort.signal });
        if (!archive.found) {
          throw new ArkivApiError(204, 'not_found', `a requested report does not exist in organisation ${org}; nothing was saved`);
        }
        const target = path.resolve(options.out ?? archive.fileName ?? 'arkiv-reports.zip');
        const progress = progressBar(io.stderr, archive.contentLength);
        let bytes: number;
        try {
          bytes = await saveStream(archive.body, target, { expectedBytes: archive.contentLength, progress });
        } finally {
          progress.finish();
        }
        line(io.stderr, `saved ${formatBytes(bytes)} to ${target}`);
      } catch (error) {
        throw abort.signal.aborted ? abort.signal.reason : error;
      } finally {
        process.off('SIGINT', onInterrupt);
        process.off('SIGTERM', onInterrupt);
      }
    });
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
