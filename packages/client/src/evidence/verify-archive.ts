import { createHash, verify as verifySignature, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { entryDataRange, readZipDirectory, ZipFormatError, type ZipEntry } from './zip-directory.js';

export const MANIFEST_NAME = 'manifest.json';
export const SIGNATURE_NAME = 'manifest.json.sig';
const MANIFEST_FORMAT = 'arkiv-archive/1';
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
const SIGNATURE_LINE = /^[A-Za-z0-9+/]{86}==\n?$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The archive cannot be judged at all (not a ZIP, not Arkiv's, truncated, unknown key): no verdict. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

export interface ArkivManifest {
  organizationId: string;
  generatedAt: string;
  kid: string;
  entries: Array<{ path: string; size: number; sha256: string }>;
}

export interface ArchiveVerdict {
  manifest: ArkivManifest;
  /** One line per finding: `tampered: …`, `missing: …`, `extra: …`, `signature: …`. Empty when intact. */
  problems: string[];
  files: number;
  bytes: number;
}

function parseManifest(bytes: Buffer): ArkivManifest {
  let parsed: Partial<ArkivManifest> & { format?: unknown };
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as typeof parsed;
  } catch {
    throw new ArchiveError('manifest.json is not JSON: the manifest was altered or this is not an Arkiv archive');
  }
  const entriesOk =
    Array.isArray(parsed.entries) &&
    parsed.entries.every((e) => typeof e?.path === 'string' && Number.isSafeInteger(e.size) && e.size >= 0 && typeof e.sha256 === 'string' && SHA256_HEX.test(e.sha256));
  if (parsed.format !== MANIFEST_FORMAT || typeof parsed.kid !== 'string' || typeof parsed.organizationId !== 'string' || !entriesOk) {
    throw new ArchiveError(`manifest.json is not an Arkiv signed manifest (${MANIFEST_FORMAT}): not an Arkiv archive, or one made before archives were signed`);
  }
  return parsed as ArkivManifest;
}

/** SHA-256 and length of an entry's uncompressed bytes, streamed (entries may be gigabytes). */
async function digestEntry(path: string, file: FileHandle, entry: ZipEntry, directoryOffset: number): Promise<{ sha256: string; size: number }> {
  if (entry.method !== 0 && entry.method !== 8) throw new ArchiveError(`${entry.name} uses ZIP compression method ${entry.method}, which this verifier does not read`);
  const { start, end } = await entryDataRange(file, entry, directoryOffset);
  const hash = createHash('sha256');
  let size = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      hash.update(chunk);
      callback();
    },
  });
  const source = fs.createReadStream(path, { start, end: end - 1 });
  try {
    await (entry.method === 8 ? pipeline(source, zlib.createInflateRaw(), sink) : pipeline(source, sink));
  } catch {
    return { sha256: '', size: -1 };
  }
  return { sha256: hash.digest('hex'), size };
}

async function readSmallEntry(path: string, file: FileHandle, entry: ZipEntry, directoryOffset: number): Promise<Buffer> {
  if (entry.size > MAX_MANIFEST_BYTES) throw new ArchiveError(`${entry.name} is implausibly large (${entry.size} bytes)`);
  if (entry.method !== 0) throw new ArchiveError(`${entry.name} is compressed; Arkiv stores it uncompressed`);
  const { start, end } = await entryDataRange(file, entry, directoryOffset);
  const buffer = Buffer.alloc(end - start);
  await file.read(buffer, 0, buffer.length, start);
  return buffer;
}

/**
 * Checks an Arkiv archive: the Ed25519 signature over manifest.json's exact bytes with the key the
 * manifest names, then every entry against the manifest (size and SHA-256), and that the ZIP holds
 * nothing else. `keysFor` is asked once, with the organisation and kid the manifest names.
 */
export async function verifyArchive(path: string, keysFor: (manifest: ArkivManifest) => Promise<Map<string, KeyObject>>): Promise<ArchiveVerdict> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (error) {
    throw new ArchiveError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    const { entries, directoryOffset } = await readZipDirectory(file);
    const byName = new Map<string, ZipEntry>();
    const problems: string[] = [];
    for (const entry of entries) {
      if (byName.has(entry.name)) problems.push(`duplicate: ${entry.name} appears more than once`);
      byName.set(entry.name, entry);
    }
    const manifestEntry = byName.get(MANIFEST_NAME);
    const signatureEntry = byName.get(SIGNATURE_NAME);
    if (!manifestEntry) throw new ArchiveError('not an Arkiv archive: it has no manifest.json');
    if (!signatureEntry) throw new ArchiveError('the archive is not signed: it has no manifest.json.sig (made before archives were signed, or the signature was removed)');
    const manifestBytes = await readSmallEntry(path, file, manifestEntry, directoryOffset);
    const manifest = parseManifest(manifestBytes);
    const keys = await keysFor(manifest);
    const publicKey = keys.get(manifest.kid);
    if (!publicKey) throw new ArchiveError(`unknown key: the manifest is signed with kid ${manifest.kid}, which the JWKS does not list (wrong organisation's JWKS?)`);

    const signatureText = (await readSmallEntry(path, file, signatureEntry, directoryOffset)).toString('latin1');
    if (!SIGNATURE_LINE.test(signatureText)) problems.push('signature: manifest.json.sig is not one base64 Ed25519 signature');
    else if (!verifySignature(null, manifestBytes, publicKey, Buffer.from(signatureText.trim(), 'base64'))) {
      problems.push('signature: manifest.json does not match its signature (the manifest or the signature was altered)');
    }

    const listed = new Set<string>();
    let bytes = 0;
    for (const expected of manifest.entries) {
      listed.add(expected.path);
      const entry = byName.get(expected.path);
      if (!entry) {
        problems.push(`missing: ${expected.path}`);
        continue;
      }
      const actual = await digestEntry(path, file, entry, directoryOffset);
      if (actual.size !== expected.size || actual.sha256 !== expected.sha256) problems.push(`tampered: ${expected.path} (its bytes differ from the signed manifest)`);
      bytes += Math.max(actual.size, 0);
    }
    for (const name of byName.keys()) {
      if (name !== MANIFEST_NAME && name !== SIGNATURE_NAME && !listed.has(name)) problems.push(`extra: ${name} is not in the signed manifest`);
    }
    return { manifest, problems, files: manifest.entries.length, bytes };
  } catch (error) {
    if (error instanceof ZipFormatError) throw new ArchiveError(error.message);
    throw error;
  } finally {
    await file.close();
  }
}
