import fs from 'node:fs';

/**
 * A structural PDF check, run before a file is stored as application/pdf. It follows what a PDF
 * reader does first (ISO 32000-1 §7.5.5, "File trailer"): read the end of the file, find `%%EOF`
 * and the `startxref` offset before it, and jump to the cross-reference section there, which is a
 * classic `xref` table or (PDF 1.5+) a cross-reference stream object, `N G obj << /Type /XRef …`.
 * A file that fails this cannot be opened without repair (qpdf --check refuses it). It does not
 * parse objects: a PDF that passes may still hold broken pages, but never a bare header or a
 * truncated upload.
 */

/** Readers, like Acrobat, look for the header in the first and `%%EOF` in the last KiB. */
const WINDOW = 1024;
const HEADER = /^%PDF-\d\.\d/;

/** Random access to the candidate file, so a 100 MB upload is never read whole. */
export type ReadAt = (offset: number, length: number) => Promise<Buffer>;

/** Why the bytes are not a PDF a reader can open, or undefined when the structure holds. */
export async function pdfStructureProblem(size: number, readAt: ReadAt): Promise<string | undefined> {
  const head = (await readAt(0, Math.min(size, 16))).toString('latin1');
  if (!HEADER.test(head)) return 'pdf is not a PDF file (it does not start with a %PDF-x.y header)';
  const tailStart = Math.max(0, size - WINDOW);
  const tail = (await readAt(tailStart, size - tailStart)).toString('latin1');
  const eof = tail.lastIndexOf('%%EOF');
  if (eof < 0) return 'pdf is incomplete: it has no %%EOF trailer at its end (was the upload cut short?)';
  const startxref = /startxref\s+(\d+)\s*$/.exec(tail.slice(0, eof));
  if (!startxref) return 'pdf has no startxref before its %%EOF trailer';
  const offset = Number(startxref[1]);
  if (!Number.isSafeInteger(offset) || offset <= 0 || offset >= tailStart + startxref.index) {
    return `pdf's startxref (${startxref[1]}) points outside the file`;
  }
  const section = (await readAt(offset, Math.min(WINDOW, size - offset))).toString('latin1');
  if (/^\s*xref\s/.test(section)) return undefined;
  // A cross-reference stream: an indirect object whose dictionary has /Type /XRef.
  const object = /^\s*\d+\s+\d+\s+obj\s*<<([\s\S]*)/.exec(section);
  if (object && /\/Type\s*\/XRef\b/.test(object[1]!)) return undefined;
  return "pdf's startxref does not point at a cross-reference table or stream";
}

export const pdfBufferProblem = (bytes: Buffer) =>
  pdfStructureProblem(bytes.length, async (offset, length) => bytes.subarray(offset, offset + length));

export async function pdfFileProblem(filePath: string, size: number): Promise<string | undefined> {
  const file = await fs.promises.open(filePath, 'r');
  try {
    return await pdfStructureProblem(size, async (offset, length) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    });
  } finally {
    await file.close();
  }
}
