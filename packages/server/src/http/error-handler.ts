import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, databaseUnavailable, internalError, payloadTooLarge, problemBody } from './errors.js';
import { isDatabaseUnavailable, type DatabaseOutage } from '../db/database-outage.js';
import { insufficientStorage, isStorageFull } from '../blobs/storage-full.js';
import { controlCharacterMessage, TEXT_PATTERN } from './text-input.js';

export interface ErrorHandlingOptions {
  outage?: DatabaseOutage;
  /** Where the database keeps its data, for a full disk the blob stores did not already name. */
  databaseStorage?: string;
}

const PROBLEM = 'application/problem+json; charset=utf-8';

export function sendProblem(reply: FastifyReply, error: AppError): FastifyReply {
  for (const [name, value] of Object.entries(error.extra.headers ?? {})) reply.header(name, value);
  return reply.status(error.status).type(PROBLEM).send(problemBody(error));
}

/** Turns any thrown error into a problem response; bad input never becomes a 500. */
function toAppError(error: FastifyError | AppError | Error, request: FastifyRequest, options: ErrorHandlingOptions): AppError {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error)) return databaseUnavailable();
  if (isStorageFull(error)) return insufficientStorage(options.databaseStorage ?? 'the database');
  // The text rule of http/text-input refuses these before the database; this is the net under it.
  if ((error as { code?: string }).code === '22021' || (error as { code?: string }).code === '22P05') {
    return new AppError(400, 'invalid_parameter', 'The request holds a character the database cannot store (U+0000)');
  }
  const e = error as FastifyError & { limit?: number };
  if (e.validation) {
    const first = e.validation[0];
    const where = e.validationContext ?? 'request';
    const field = first?.instancePath ? first.instancePath.replace(/^\//, '').replace(/\//g, '.') : (first?.params as { missingProperty?: string } | undefined)?.missingProperty;
    if (first?.keyword === 'pattern' && (first.params as { pattern?: string }).pattern === TEXT_PATTERN) {
      return new AppError(400, 'invalid_parameter', controlCharacterMessage(`${where} parameter ${field ?? ''}`.trim()));
    }
    return new AppError(400, 'invalid_parameter', `${where}${field ? ` parameter ${field}` : ''} ${first?.message ?? 'is invalid'}`.trim());
  }
  if (e.code === 'FST_FILES_LIMIT' || e.code === 'FST_PARTS_LIMIT' || e.code === 'FST_FIELDS_LIMIT') {
    // Too many parts is a malformed upload, not a large one.
    return new AppError(400, 'invalid_parameter', 'The upload has more parts than a report has: send the metadata fields and one html and one pdf file');
  }
  if (e.code === 'FST_REQ_FILE_TOO_LARGE' || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) {
    return payloadTooLarge(request.routeOptions.config?.uploadLimit ?? e.limit ?? 0);
  }
  if (e.statusCode === 429) {
    return new AppError(429, 'rate_limited', 'Too many requests; retry after the time in Retry-After');
  }
  if (e.statusCode === 415 || e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new AppError(415, 'unsupported_media_type', 'This content type is not accepted here');
  }
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
    return new AppError(e.statusCode, 'invalid_request', e.message);
  }
  return internalError();
}

export function installErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions = {}): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error, request, options);
    if (appError.code === 'database_unavailable') {
      // One line per outage, not a stack trace per request; the pool logs the recovery.
      options.outage?.failed(error);
    } else if (appError.code === 'insufficient_storage') {
      request.log.error({ code: (error as { code?: string }).code, error: appError.message }, 'storage full');
    } else if (appError.status >= 500) {
      // The stack goes to the log only; the client gets the stable code and a request id to quote.
      request.log.error({ err: error }, 'request failed');
    }
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    return sendProblem(reply, appError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, new AppError(404, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`)),
  );
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Byte limit of this route's uploads, for the error message. */
    uploadLimit?: number;
  }
}
