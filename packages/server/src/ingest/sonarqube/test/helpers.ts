import { execFileSync } from 'node:child_process';
import { pdfTextSync } from '../../../test/pdf-text.js';
import type { TestServer } from '../../../test/test-server.js';

/** JSON request to the server under test; returns status and parsed body. */
export async function call(server: TestServer, method: string, url: string, token?: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** The stored bytes of one file of a report, read back through the blob store. */
export async function storedFile(server: TestServer, reportId: string, kind: 'html' | 'pdf'): Promise<{ bytes: Buffer; fileName: string }> {
  const row = await server.ctx.db.selectFrom('report_files').selectAll().where('report_id', '=', reportId).where('kind', '=', kind).executeTakeFirstOrThrow();
  const chunks: Buffer[] = [];
  for await (const chunk of server.ctx.blobs.read(row.blob_key)) chunks.push(chunk as Buffer);
  return { bytes: Buffer.concat(chunks), fileName: row.file_name };
}

/** Text of a PDF as pdf.js reads it (see test/pdf-text.ts): Node alone, no system tools. */
export function pdfText(pdf: Buffer): string {
  return pdfTextSync(pdf);
}

/** Lowercase hex HMAC of `body` computed by OpenSSL: an implementation independent of Arkiv's. */
export function opensslHmac(algorithm: 'sha1' | 'sha256', secret: string, body: string | Buffer): string {
  const out = execFileSync('openssl', ['dgst', `-${algorithm}`, '-hmac', secret], { input: body, encoding: 'utf8' });
  return out.trim().split(/\s+/).pop()!.toLowerCase();
}

export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
