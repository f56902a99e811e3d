// The server of the findings benchmark, in its own process: a real Arkiv on the seeded database
// (configured by the environment the bench passes), timing each request from inside. Node's
// diagnostics channels mark when a request arrives and when its response is handed to the
// socket; between the two the process's wall-clock time and CPU time (user + system) are taken.
// Requests are sequential, so the CPU time of the process is the request's own (plus any GC it
// causes). On 'samples' answers the samples taken so far and forgets them; on 'stop' exits.
import diagnostics from 'node:diagnostics_channel';

const { loadConfig } = await import('../../packages/server/src/config.ts');
const { createContext } = await import('../../packages/server/src/context.ts');
const { startServer } = await import('../../packages/server/src/server.ts');

const started = new WeakMap();
let samples = [];
diagnostics.subscribe('http.server.request.start', ({ request }) => {
  started.set(request, { at: performance.now(), cpu: process.cpuUsage() });
});
diagnostics.subscribe('http.server.response.finish', ({ request }) => {
  const start = started.get(request);
  if (!start) return;
  const cpu = process.cpuUsage(start.cpu);
  samples.push({ url: request.url, wallMs: performance.now() - start.at, cpuMs: (cpu.user + cpu.system) / 1000 });
});

// No background workers: nothing but the requests runs in the process (as `serve --no-worker`).
const config = { ...loadConfig(process.env), runWorker: false };
const ctx = await createContext(config);
const arkiv = await startServer(config, { ctx });

process.on('message', (message) => {
  if (message === 'samples') {
    process.send({ samples });
    samples = [];
  } else if (message === 'stop') {
    void arkiv.close().finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: { url: arkiv.url } });
