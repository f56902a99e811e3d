import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../config.js';
import { createContext } from '../context.js';
import { startServer } from '../server.js';

/**
 * The OpenAPI document exactly as `/openapi.json` serves it, from the real app assembled over a
 * throw-away SQLite data directory: no port is opened and no worker started.
 */
export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-openapi-'));
  try {
    const config = loadConfig({ ARKIV_DATA_DIR: dataDir, ARKIV_SECRET_KEY: 'openapi-document-only-key-0123456789abcdef', ARKIV_RUN_WORKER: '0' });
    const ctx = await createContext(config, { log: pino({ level: 'silent' }) });
    const server = await startServer({ ...config, runWorker: false }, { api: false, ctx });
    try {
      const response = await server.app.inject({ method: 'GET', url: '/openapi.json' });
      return response.json();
    } finally {
      await server.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
