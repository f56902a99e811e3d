import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors.js';
import type { RoutePlugin } from './route-plugin.js';

/** packages/web/dist, from src/http (tsx) and dist/http (built) alike. */
export const defaultWebDistDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

/**
 * The dashboard's policy: nothing inline (Vite emits only external module scripts and stylesheets),
 * nothing from other origins, never framed. Styles set through the DOM (React's `style` prop) are
 * CSSOM writes, which `style-src 'self'` allows; a `style="…"` attribute in HTML would be blocked.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths that belong to the API: an unknown one is a problem+json 404, never the dashboard page. */
const API_PREFIXES = ['/api/', '/security/', '/integrations/', '/docs', '/openapi.json', '/metrics', '/healthz', '/readyz'];

function setDashboardHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('content-security-policy', DASHBOARD_CSP);
  reply.header('x-frame-options', 'DENY');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('cross-origin-resource-policy', 'same-origin');
  reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
  if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
}

const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Arkiv</title></head>
<body><h1>Arkiv</h1><p>The dashboard is not built. Run <code>npm run build</code> in the Arkiv checkout, then reload this page.</p>
<p>The API is available: see <a href="/docs">/docs</a>.</p></body></html>
`;

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError(400, 'invalid_request', 'The path is not valid percent-encoding');
  }
}

/**
 * Serves the built dashboard at `/`. A GET for a file in dist sends it (hashed assets cached for a
 * year, everything else revalidated); any other GET that is not an API path is a client-side route
 * and gets index.html. The build is looked up per request, so `npm run build` needs no restart.
 */
export function createWebRoutes(distDir: string): RoutePlugin {
  return async (app) => {
    await app.register(fastifyStatic, { root: distDir, serve: false, suppressWarning: true, index: false });

    app.get('/*', { schema: { hide: true } }, async (request, reply) => {
      const urlPath = decodePath(request.url.split('?')[0] ?? '/');
      if (API_PREFIXES.some((prefix) => urlPath === prefix.replace(/\/$/, '') || urlPath.startsWith(prefix))) {
        throw new AppError(404, 'not_found', `No route for ${request.method} ${urlPath}`);
      }
      setDashboardHeaders(request, reply);
      const relative = path.posix.normalize(urlPath).replace(/^\/+/, '');
      // normalize() has removed every `..` that could climb out of distDir.
      if (relative !== '' && !relative.startsWith('..') && relative !== 'index.html' && isFile(path.join(distDir, relative))) {
        const immutable = relative.startsWith('assets/');
        return reply.sendFile(relative, { maxAge: immutable ? 365 * 24 * 3600 * 1000 : 0, immutable, cacheControl: true });
      }
      if (path.extname(relative) !== '') throw new AppError(404, 'not_found', `No file ${urlPath}`);
      if (!isFile(path.join(distDir, 'index.html'))) {
        return reply.status(200).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(MISSING_BUILD_PAGE);
      }
      // index.html names the current hashed assets: it must never be cached stale.
      reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html', { cacheControl: false });
    });
  };
}

export const webRoutes: RoutePlugin = createWebRoutes(defaultWebDistDir);
