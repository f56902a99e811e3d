import type { ReportMetadata, SarifOnlyMetadata } from './types.js';

/** A report file: a path on disk (streamed, never read whole), or bytes already in memory. */
export type ReportFileSource = string | URL | Blob;

/**
 * The files of an upload: html and pdf, with the report's findings as SARIF 2.1.0 beside them if
 * wished, or a SARIF file alone (the server then renders the HTML and PDF).
 */
export type ReportFiles = { html: ReportFileSource; pdf: ReportFileSource; sarif?: ReportFileSource } | { html?: undefined; pdf?: undefined; sarif: ReportFileSource };

export const MEDIA_TYPES = { html: 'text/html', pdf: 'application/pdf', sarif: 'application/sarif+json' } as const;
export type FileKind = keyof typeof MEDIA_TYPES;

/** The kinds present, in the order they are sent. */
export function fileKinds(files: ReportFiles): FileKind[] {
  return (['html', 'pdf', 'sarif'] as const).filter((kind) => files[kind] !== undefined);
}

const METADATA_FIELDS: Array<keyof ReportMetadata> = ['projectName', 'projectVersion', 'reportType', 'reportVersion', 'date', 'vulnerabilitiesCount', 'securityRating'];

/** The metadata as multipart text fields, named as in the list response; absent ones are not sent. */
export function metadataFields(metadata: ReportMetadata | SarifOnlyMetadata): Record<string, string> {
  const given = metadata as Partial<ReportMetadata>;
  return Object.fromEntries(METADATA_FIELDS.flatMap((name) => (given[name] === undefined ? [] : [[name, String(given[name])]])));
}

/**
 * The multipart body of `POST /security/report`: metadata fields named as in the list response,
 * then the files `html` and `pdf`. Paths become disk-backed Blobs (`fs.openAsBlob`), so fetch
 * streams them from disk and a 100 MiB PDF never sits in memory.
 */
export async function buildUploadForm(metadata: ReportMetadata | SarifOnlyMetadata, files: ReportFiles): Promise<FormData> {
  const form = new FormData();
  for (const [name, value] of Object.entries(metadataFields(metadata))) form.append(name, value);
  for (const kind of fileKinds(files)) {
    const { blob, fileName } = await openFile(files[kind]!, kind);
    form.append(kind, blob, fileName);
  }
  return form;
}

async function openFile(source: ReportFileSource, kind: FileKind): Promise<{ blob: Blob; fileName: string }> {
  const type = MEDIA_TYPES[kind];
  if (source instanceof Blob) {
    const name = (source as Partial<File>).name;
    // The server decides by media type, so a Blob of unknown type is labelled with the field's.
    const blob = source.type === type ? source : new Blob([source], { type });
    return { blob, fileName: name || `report.${kind}` };
  }
  // Loaded on demand: the client also runs where node:fs does not exist (browsers, workers).
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const filePath = source instanceof URL ? fileURLToPath(source) : source;
  return { blob: await fs.openAsBlob(filePath, { type }), fileName: path.basename(filePath) };
}
