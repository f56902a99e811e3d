import type { ReportFile, ReportWithFiles } from './report-model.js';

/** One report's folder and entries, as archive.ts plans them. */
interface PlannedReport {
  report: ReportWithFiles;
  folder: string;
  files: ReadonlyArray<Pick<ReportFile, 'fileName' | 'mediaType' | 'size' | 'sha256'> & { kind: string; path: string }>;
}

/** Signs the exact manifest bytes as the organisation (signing/org-signer implements it). */
export interface ManifestSigner {
  kid: string;
  sign(bytes: Buffer): Buffer;
}

/** Names a verifier checks: `arkiv verify` refuses a ZIP whose manifest does not carry this format. */
export const MANIFEST_FORMAT = 'arkiv-archive/1';
export const MANIFEST_NAME = 'manifest.json';
export const SIGNATURE_NAME = 'manifest.json.sig';

/**
 * manifest.json and manifest.json.sig as written into the ZIP. Every entry's path, size and SHA-256
 * are known before the first byte streams (recorded at upload, checked while streaming), so the
 * manifest is signed up front and the archive's length stays exact. The signature file is one line:
 * standard base64 of the 64-byte Ed25519 signature over the manifest's bytes, then a newline.
 */
export function signedManifest(input: {
  organizationId: string;
  generatedAt: string;
  plan: readonly PlannedReport[];
  signer: ManifestSigner;
}): { manifest: Buffer; signature: Buffer } {
  const { plan } = input;
  const body = {
    format: MANIFEST_FORMAT,
    organizationId: input.organizationId,
    generatedAt: input.generatedAt,
    kid: input.signer.kid,
    entries: plan.flatMap(({ files }) => files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 }))),
    reports: plan.map(({ report, folder, files }) => {
      const { files: _files, organizationId: _org, ...item } = report;
      return {
        ...item,
        folder,
        files: files.map((f) => ({ kind: f.kind, path: f.path, fileName: f.fileName, mediaType: f.mediaType, size: f.size, sha256: f.sha256 })),
      };
    }),
  };
  const manifest = Buffer.from(`${JSON.stringify(body, null, 2)}\n`);
  const signature = Buffer.from(`${input.signer.sign(manifest).toString('base64')}\n`);
  return { manifest, signature };
}
