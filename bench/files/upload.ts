import crypto from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const MiB = 1024 * 1024;
/** Shared filler: random, so neither PostgreSQL's TOAST nor anything else can compress it away. */
const filler = crypto.randomBytes(MiB);

/**
 * A PDF of exactly `size` bytes, generated as it streams: a header that names the report (so every
 * file has its own SHA-256), one unreferenced stream of random-looking bytes, then a real xref
 * table and trailer, so it passes the server's structural PDF check (and qpdf --check).
 */
export async function* pdfLike(index: number, size: number): AsyncGenerator<Buffer> {
  const pad = (n: number) => String(n).padStart(10, '0');
  const head = `%PDF-1.7\n% arkiv bench report ${index} ${crypto.randomUUID()}\n`;
  const catalog = '1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n';
  const pages = '2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n';
  const streamStart = (length: number) => `3 0 obj\n<< /Length ${pad(length)} >>\nstream\n`;
  const offsets = [head.length, head.length + catalog.length, head.length + catalog.length + pages.length];
  const tail = (xref: number) =>
    `\nendstream\nendobj\nxref\n0 4\n0000000000 65535 f \n${offsets.map((o) => `${pad(o)} 00000 n \n`).join('')}` +
    `trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n${pad(xref)}\n%%EOF\n`;
  const fixed = head.length + catalog.length + pages.length + streamStart(0).length;
  const length = Math.max(0, size - fixed - tail(0).length);
  yield Buffer.from(head + catalog + pages + streamStart(length), 'latin1');
  for (let left = length; left > 0; left -= MiB) yield filler.subarray(0, Math.min(MiB, left));
  yield Buffer.from(tail(fixed + length + '\nendstream\nendobj\n'.length), 'latin1');
}

async function* multipart(boundary: string, fields: Record<string, string>, index: number, pdfBytes: number): AsyncGenerator<Buffer> {
  const text = (s: string) => Buffer.from(s);
  for (const [name, value] of Object.entries(fields)) {
    yield text(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  }
  yield text(`--${boundary}\r\nContent-Disposition: form-data; name="html"; filename="report.html"\r\nContent-Type: text/html\r\n\r\n`);
  yield text(`<!doctype html><html><head><meta charset="utf-8"><title>Bench report ${index}</title></head><body><h1>Report ${index}</h1></body></html>\r\n`);
  yield text(`--${boundary}\r\nContent-Disposition: form-data; name="pdf"; filename="report-${index}.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
  yield* pdfLike(index, pdfBytes);
  yield text(`\r\n--${boundary}--\r\n`);
}

/** Uploads one report through POST /security/report, streaming the body; resolves to its id. */
export async function uploadReport(baseUrl: string, token: string, index: number, pdfBytes: number): Promise<string> {
  const boundary = `arkiv-bench-${crypto.randomUUID()}`;
  const fields = {
    projectName: `Bench product ${index % 7}`,
    projectVersion: `${1 + Math.floor(index / 10)}.${index % 10}.0`,
    reportType: index % 2 ? 'OWASP Top 10' : 'CWE Top 25',
    reportVersion: index % 2 ? '2021' : '2024',
    date: new Date(Date.UTC(2025, 0, 1 + index)).toISOString(),
    vulnerabilitiesCount: String(index),
    securityRating: 'ABCDE'[index % 5]!,
  };
  const request = http.request(`${baseUrl}/security/report`, {
    method: 'POST',
    agent: false,
    headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  const responded = new Promise<http.IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  await pipeline(Readable.from(multipart(boundary, fields, index, pdfBytes)), request);
  const response = await responded;
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString();
  if (response.statusCode !== 201) throw new Error(`upload ${index} answered ${response.statusCode}: ${body}`);
  return (JSON.parse(body) as { id: string }).id;
}

/** Uploads `count` reports, `parallel` at a time; returns their ids in index order. */
export async function uploadReports(baseUrl: string, token: string, count: number, pdfBytes: number, parallel = 2): Promise<string[]> {
  const ids: string[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) ids[index] = await uploadReport(baseUrl, token, index, pdfBytes);
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return ids;
}
