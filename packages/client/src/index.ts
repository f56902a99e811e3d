/**
 * @arkiv/client: the typed API client (platform `fetch`, no dependencies) and webhook signature
 * verification (`node:crypto` only). The `arkiv` CLI lives in cli/ and is not exported here.
 */
export { ArkivClient, type UploadResult } from './client.js';
export { ArkivApiError, ArkivTransportError } from './errors.js';
export { buildUrl, type ClientOptions } from './http.js';
export { fileNameOf, type ArchiveDownload } from './archive-download.js';
export { buildUploadForm, type ReportFiles, type ReportFileSource } from './upload-form.js';
export type * from './types.js';
export * from './webhooks/index.js';
