// The server under test, in its own process so its memory is measured alone: a real Arkiv
// configured by the environment the bench passes, an organisation and an upload token. Loads the
// server's TypeScript sources (started with tsx) from ARKIV_BENCH_SERVER_SRC when given (another
// checkout, for a before/after comparison in one run), else from this checkout.
// Sends `{ ready }` once it listens; on 'report' answers `{ maxRssMiB, peakHeapUsedMiB, peakAfterMajorGcMiB }` and exits.
import path from 'node:path';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const sourceDir = process.env.ARKIV_BENCH_SERVER_SRC || new URL('../../packages/server/src/', import.meta.url).pathname;
const load = (module) => import(pathToFileURL(path.join(sourceDir, module)).href);

const { loadConfig } = await load('config.ts');
const { createContext } = await load('context.ts');
const { startServer } = await load('server.ts');
const { createOrganization } = await load('orgs/org-store.ts');
const { createApiToken } = await load('accounts/tokens.ts');

// The V8 heap's high-water mark, sampled: RSS alone mixes live data with garbage not yet collected
// and with caches of fixed size (SQLite's page cache).
let peakHeapUsed = 0;
setInterval(() => {
  peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed);
}, 100).unref();

// What survives a full collection: the heap in use seen right after each major GC (mark-compact).
// Garbage and fixed-size caches aside, this is the memory the upload really keeps.
let peakAfterMajorGc = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) peakAfterMajorGc = Math.max(peakAfterMajorGc, process.memoryUsage().heapUsed);
  }
}).observe({ entryTypes: ['gc'] });

const config = loadConfig(process.env);
const ctx = await createContext(config);
const arkiv = await startServer(config, { ctx });
const orgId = (await createOrganization(ctx.db, { name: 'Bench organisation' })).id;
const { token } = await createApiToken(ctx.db, { orgId, name: 'bench upload', scopes: ['upload'] });

process.on('message', (message) => {
  if (message !== 'report') return;
  process.send({ maxRssMiB: process.resourceUsage().maxRSS / 1024, peakHeapUsedMiB: peakHeapUsed / 2 ** 20, peakAfterMajorGcMiB: peakAfterMajorGc / 2 ** 20 }, () => {
    void arkiv.close().finally(() => process.exit(0));
  });
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: { url: arkiv.url, token } });
