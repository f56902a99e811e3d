import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { DEFAULT_SERVER, type ConnectionOptions } from '../connection.js';
import { line, UsageError, type CliIo } from '../io.js';
import { formatBytes } from '../progress.js';
import { ed25519KeysOf, JwksError } from '../../evidence/jwks.js';
import { verifyArchive, type ArkivManifest } from '../../evidence/verify-archive.js';

interface VerifyOptions extends ConnectionOptions {
  jwks?: string;
}

/** The archive is intact or not; the reasons were printed one per line. Exit 1. */
class NotVerified extends Error {
  override name = 'NotVerified';
}

async function fetchJwks(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' } });
  } catch (error) {
    throw new JwksError(`cannot fetch the JWKS from ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new JwksError(`cannot fetch the JWKS from ${url}: HTTP ${response.status}`);
  return response.text();
}

/** The keys from --jwks (a URL or a file: offline), else from the server the manifest's organisation lives on. */
async function loadKeys(options: VerifyOptions, io: CliIo, manifest: ArkivManifest) {
  const source = options.jwks;
  if (source === undefined) {
    const base = options.server ?? io.env.ARKIV_URL ?? DEFAULT_SERVER;
    const url = new URL('/.well-known/jwks.json', base);
    url.searchParams.set('org', manifest.organizationId);
    return ed25519KeysOf(await fetchJwks(url.href), url.href);
  }
  if (/^https?:\/\//i.test(source)) return ed25519KeysOf(await fetchJwks(source), source);
  let text: string;
  try {
    text = await fs.readFile(source, 'utf8');
  } catch (error) {
    throw new UsageError(`--jwks ${source}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return ed25519KeysOf(text, source);
}

export function addVerifyCommand(program: Command, io: CliIo): void {
  program
    .command('verify')
    .description("Check a downloaded archive: manifest.json's Ed25519 signature and every file against it")
    .argument('<zip>', 'the archive (arkiv download or GET /security/report/files)')
    .option('--jwks <url|file>', "the organisation's JWKS (a file verifies offline) [default: <server>/.well-known/jwks.json?org=<the manifest's organisation>]")
    .action(async (zip: string, _options: VerifyOptions, command: Command) => {
      const options = command.optsWithGlobals<VerifyOptions>();
      const verdict = await verifyArchive(zip, (manifest) => loadKeys(options, io, manifest));
      const { manifest } = verdict;
      if (verdict.problems.length > 0) {
        for (const problem of verdict.problems) line(io.stderr, problem);
        throw new NotVerified(`${zip} does NOT verify: ${verdict.problems.length} problem(s) above`);
      }
      line(io.stdout, `${zip}: intact, ${verdict.files} files (${formatBytes(verdict.bytes)}) of organisation ${manifest.organizationId}, generated ${manifest.generatedAt}, signed with key ${manifest.kid}`);
    });
}


