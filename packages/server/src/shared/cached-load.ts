/**
 * Wraps a costly read (a COUNT over a queue) for metrics collection: it runs at most once per
 * `ttlMs` however often and from however many scrapers /metrics is read, and scrapes that arrive
 * while it runs share that one run. A failed read keeps the last value (undefined before any).
 */
export function cachedLoad<T>(load: () => Promise<T>, ttlMs: number, onError: (error: unknown) => void): () => Promise<T | undefined> {
  let value: T | undefined;
  let loadedAt = -Infinity;
  let running: Promise<T | undefined> | undefined;
  return () => {
    if (performance.now() - loadedAt < ttlMs) return Promise.resolve(value);
    running ??= load()
      .then((loaded) => {
        value = loaded;
        loadedAt = performance.now();
        return value;
      })
      .catch((error: unknown) => {
        // Not retried at every scrape while the database is down: the same pause as a success.
        loadedAt = performance.now();
        onError(error);
        return value;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
}
