import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/*
 * Uploads of files on disk go through node:http, not fetch: Node's fetch (undici) keeps a streamed
 * request body in memory until the response arrives (nodejs/undici#4058), so a 300 MB PDF cost
 * ~390 MB of RSS; this path streams with back-pressure in constant memory (~75 MB RSS measured).
 */

export interface DiskFilePart {
  field: string;
  filePath: string;
  mediaType: string;
}

/** Quotes in a file name would end the header value early; the HTML spec percent-encodes them. */
const quoted = (name: string) => name.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');

/** The multipart/form-data body as a sequence of buffers and file streams, with its exact length. */
async function multipartBody(fields: Record<string, string>, files: DiskFilePart[]) {
  const boundary = `----arkiv${crypto.randomBytes(16).toString('hex')}`;
  const pieces: Array<Buffer | string> = [];
  let length = 0;
  const add = (piece: Buffer | string, size: number) => {
    pieces.push(piece);
    length += size;
  };
  const text = (value: string) => add(Buffer.from(value, 'utf8'), Buffer.byteLength(value, 'utf8'));
  for (const [name, value] of Object.entries(fields)) {
    text(`--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"\r\n\r\n${value}\r\n`);
  }
  for (const file of files) {
    const { size } = await fs.promises.stat(file.filePath);
    text(`--${boundary}\r\nContent-Disposition: form-data; name="${quoted(file.field)}"; filename="${quoted(path.basename(file.filePath))}"\r\n`);
    text(`Content-Type: ${file.mediaType}\r\n\r\n`);
    add(file.filePath, size); // A string piece is a path: opened only when the body reaches it.
    text('\r\n');
  }
  text(`--${boundary}--\r\n`);
  async function* stream() {
    for (const piece of pieces) {
      if (Buffer.isBuffer(piece)) yield piece;
      else yield* fs.createReadStream(piece);
    }
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, length, stream };
}

/** POSTs fields and disk files as multipart/form-data; resolves with the (small) response as a fetch Response. */
export async function postMultipartFromDisk(
  url: URL,
  headers: Record<string, string>,
  fields: Record<string, string>,
  files: DiskFilePart[],
  signal?: AbortSignal,
): Promise<Response> {
  const body = await multipartBody(fields, files);
  const transport = url.protocol === 'https:' ? https : http;
  const request = transport.request(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': body.contentType, 'content-length': String(body.length) },
    signal,
  });
  const answered = new Promise<http.IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  // The server may answer (401, 413, …) before it has read the whole body and then close the
  // connection: that answer is the result, and the broken send that follows is not an error.
  const sent = pipeline(Readable.from(body.stream()), request).catch(() => undefined);
  let response: http.IncomingMessage;
  try {
    response = await answered;
  } catch (error) {
    request.destroy();
    throw error;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  if (!request.writableFinished) request.destroy();
  await sent;
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, v);
  }
  const status = response.statusCode ?? 500;
  const content = [204, 205, 304].includes(status) ? null : Buffer.concat(chunks);
  return new Response(content, { status, statusText: response.statusMessage ?? '', headers: responseHeaders });
}
