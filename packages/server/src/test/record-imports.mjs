// Preloaded with `node --import`: records every module the process loads, for the start-up import
// test and bench/footprint.mjs. ESM resolutions come from a loader hook (which runs on its own
// thread in Node 20); CommonJS files required inside CJS packages come from require.cache.
// On SIGUSR2 the list (one file URL or path a line) is written to $ARKIV_IMPORT_LOG.
import fs from 'node:fs';
import { createRequire, register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const logFile = process.env.ARKIV_IMPORT_LOG;
const resolved = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => resolved.add(url));
port1.unref();
register('./record-imports-hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] });

const requireCache = createRequire(import.meta.url).cache;
process.on('SIGUSR2', () => {
  const all = new Set([...resolved, ...Object.keys(requireCache)]);
  fs.writeFileSync(`${logFile}.part`, [...all].join('\n') + '\n');
  fs.renameSync(`${logFile}.part`, logFile);
});
