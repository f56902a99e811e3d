/** The answer of `GET /security/report/files`: a ZIP stream, or seed 000's 204 "report does not exist". */
export type ArchiveDownload =
  | {
      found: true;
      /** The ZIP bytes; read it to the end or cancel it, or the connection stays open. */
      body: ReadableStream<Uint8Array>;
      /** Exact byte count when the server sent Content-Length. */
      contentLength: number | undefined;
      /** From Content-Disposition, e.g. arkiv-reports-20251217-090548.zip. */
      fileName: string | undefined;
      contentType: string;
    }
  | { found: false };

export function archiveFromResponse(response: Response): ArchiveDownload {
  if (response.status === 204 || response.body === null) {
    void response.body?.cancel();
    return { found: false };
  }
  const length = response.headers.get('content-length');
  return {
    found: true,
    body: response.body,
    contentLength: length !== null && /^\d+$/.test(length) ? Number(length) : undefined,
    fileName: fileNameOf(response.headers.get('content-disposition')),
    contentType: response.headers.get('content-type') ?? 'application/octet-stream',
  };
}

/** The file name of a Content-Disposition header, reduced to a bare name (no directories). */
export function fileNameOf(header: string | null): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  let name: string | undefined;
  if (extended?.[1]) {
    try {
      name = decodeURIComponent(extended[1]);
    } catch {
      name = undefined;
    }
  }
  name ??= /filename\s*=\s*"([^"]*)"/i.exec(header)?.[1] ?? /filename\s*=\s*([^;\s]+)/i.exec(header)?.[1];
  const bare = name?.split(/[\\/]/).pop()?.trim();
  return bare && bare !== '.' && bare !== '..' ? bare : undefined;
}
