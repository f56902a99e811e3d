import crypto from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pdfLike } from '../files/upload.js';

/** A valid POST /security/report body on disk, sent as is by curl to Arkiv and to the baseline. */
export interface UploadBody {
  file: string;
  /** The whole body, multipart framing included. */
  bytes: number;
  contentType: string;
  /** Where the PDF header holds a UUID: rewritten before each upload so every upload is new bytes. */
  uniqueOffset: number;
}

const MARKER = '% arkiv bench report 0 ';

/**
 * Writes a multipart body of exactly `bytes` bytes: the report's metadata fields, a small HTML
 * file and a PDF (bench/files/upload.ts pdfLike: a real header, xref table and trailer around
 * random bytes, so it passes Arkiv's structural PDF check) that fills the rest.
 */
export async function writeUploadBody(file: string, bytes: number): Promise<UploadBody> {
  const boundary = `arkiv-bench-${crypto.randomUUID()}`;
  const fields = {
    projectName: 'Upload bench product',
    projectVersion: '1.0.0',
    reportType: 'OWASP Top 10',
    reportVersion: '2021',
    date: '2026-01-02T03:04:05.000Z',
    vulnerabilitiesCount: '3',
    securityRating: 'B',
  };
  let head = '';
  for (const [name, value] of Object.entries(fields)) head += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  head += `--${boundary}\r\nContent-Disposition: form-data; name="html"; filename="report.html"\r\nContent-Type: text/html\r\n\r\n`;
  head += '<!doctype html><html><head><meta charset="utf-8"><title>Upload bench</title></head><body><h1>Report</h1></body></html>\r\n';
  head += `--${boundary}\r\nContent-Disposition: form-data; name="pdf"; filename="report.pdf"\r\nContent-Type: application/pdf\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const pdfBytes = bytes - Buffer.byteLength(head) - Buffer.byteLength(tail);
  async function* body() {
    yield Buffer.from(head);
    yield* pdfLike(0, pdfBytes);
    yield Buffer.from(tail);
  }
  await pipeline(Readable.from(body()), fs.createWriteStream(file));
  const start = fs.readFileSync(file).subarray(0, Buffer.byteLength(head) + 200).toString('latin1');
  const uniqueOffset = start.indexOf(MARKER) + MARKER.length;
  if (uniqueOffset < MARKER.length) throw new Error('the PDF header has no bench marker');
  const written = fs.statSync(file).size;
  if (written !== bytes) throw new Error(`the body has ${written} bytes, not ${bytes}`);
  return { file, bytes, contentType: `multipart/form-data; boundary=${boundary}`, uniqueOffset };
}

/** New bytes for the next upload (a fresh UUID in the PDF header): content-addressed stores dedupe repeats. */
export function makeUnique(body: UploadBody): void {
  const handle = fs.openSync(body.file, 'r+');
  try {
    fs.writeSync(handle, crypto.randomUUID(), body.uniqueOffset, 'latin1');
  } finally {
    fs.closeSync(handle);
  }
}
