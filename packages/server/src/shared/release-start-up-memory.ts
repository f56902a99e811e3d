/**
 * Hands back the heap that starting needed and an idle process does not: loading the modules and
 * compiling the routes grows V8's young generation to its 32 MiB maximum and leaves old-space pages
 * part empty, and an idle process runs no further GC, so V8 keeps all of it (its memory reducer
 * decides from allocation rates sampled at GCs, and none come). One memory-reducing full GC, once
 * start-up is done and before the first request, shrinks both (≈ 45 MiB of RSS, docs/benchmarks.md);
 * under load the heap grows again as it needs to.
 *
 * An in-process inspector session is Node's public way to ask V8 for that GC: it opens no port and
 * enables no debugger. A Node built without the inspector simply keeps the memory.
 */
export async function releaseStartUpMemory(): Promise<void> {
  let inspector: typeof import('node:inspector');
  try {
    inspector = await import('node:inspector');
  } catch {
    return;
  }
  const session = new inspector.Session();
  session.connect();
  try {
    await new Promise<void>((resolve) => session.post('HeapProfiler.collectGarbage', () => resolve()));
  } finally {
    session.disconnect();
  }
}
