import crypto from 'node:crypto';
import { planArchive } from '../../packages/server/src/reports/archive.js';
import { signedManifest } from '../../packages/server/src/reports/manifest-signature.js';
import type { ReportWithFiles } from '../../packages/server/src/reports/report-model.js';
import { median } from './measure.js';

const RUNS = 200;

function fakeReport(i: number): ReportWithFiles {
  const file = (kind: 'html' | 'pdf') => ({
    kind,
    fileName: `report-${i}.${kind}`,
    mediaType: kind === 'pdf' ? 'application/pdf' : 'text/html',
    size: 50 * 1024 * 1024,
    sha256: crypto.randomBytes(32).toString('hex'),
    blobKey: `sha256/${i}`,
  });
  return {
    id: crypto.randomUUID(),
    organizationId: 'bench-org',
    projectName: `Product ${i}`,
    projectVersion: `1.${i}.0`,
    reportType: 'OWASP Top 10',
    reportVersion: 2021,
    date: '2026-01-02T03:04:05+00:00',
    uploadDate: '2026-01-02T03:04:05+00:00',
    vulnerabilitiesCount: i,
    securityRating: 'B',
    files: [file('html'), file('pdf')],
  } as unknown as ReportWithFiles;
}

/** Microseconds to build and sign one archive's manifest (what a download adds), and to sign alone. */
export function measureManifestSigning(reports: number): { manifestBytes: number; totalMicros: number; signMicros: number; runs: number } {
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  const signer = { kid: 'bench', sign: (bytes: Buffer) => crypto.sign(null, bytes, privateKey) };
  const plan = planArchive(Array.from({ length: reports }, (_, i) => fakeReport(i)));
  const total: number[] = [];
  const sign: number[] = [];
  let manifestBytes = 0;
  for (let run = 0; run < RUNS; run++) {
    const started = process.hrtime.bigint();
    const { manifest } = signedManifest({ organizationId: 'bench-org', generatedAt: new Date().toISOString(), plan, signer });
    const built = process.hrtime.bigint();
    signer.sign(manifest);
    const signed = process.hrtime.bigint();
    manifestBytes = manifest.length;
    total.push(Number(built - started) / 1000);
    sign.push(Number(signed - built) / 1000);
  }
  return { manifestBytes, totalMicros: median(total), signMicros: median(sign), runs: RUNS };
}
