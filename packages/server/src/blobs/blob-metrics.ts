import { Counter, type Registry } from 'prom-client';
import type { BlobStore } from './blob-store.js';

type Operation = 'put' | 'read' | 'has' | 'delete' | 'deleteIfOlderThan';

/**
 * Counts failed blob-store operations (`arkiv_blob_store_errors_total{store, operation}`): an
 * unreachable S3, a full disk, a missing or corrupt blob on read. The store's own methods are
 * wrapped in place rather than behind a wrapper object, so whoever holds the store keeps its
 * concrete class (the S3 store's `close`, the migration's checks of kind).
 */
export function countBlobStoreErrors<T extends BlobStore>(store: T, registry: Registry): T {
  const errors =
    (registry.getSingleMetric('arkiv_blob_store_errors_total') as Counter<'store' | 'operation'> | undefined) ??
    new Counter({ name: 'arkiv_blob_store_errors_total', help: 'Failed blob store operations, by store and operation', labelNames: ['store', 'operation'], registers: [registry] });
  const failed = (operation: Operation) => errors.inc({ store: store.kind, operation });
  const target = store as unknown as Record<Operation, ((...args: unknown[]) => unknown) | undefined>;
  for (const operation of ['put', 'has', 'delete', 'deleteIfOlderThan'] as const) {
    const original = target[operation];
    if (!original) continue;
    target[operation] = function (this: unknown, ...args: unknown[]) {
      return (original.apply(store, args) as Promise<unknown>).catch((error: unknown) => {
        failed(operation);
        throw error;
      });
    };
  }
  const read = store.read;
  store.read = (key) => {
    const stream = read.call(store, key);
    // Counted once per stream; the reader's own error handling is untouched.
    let counted = false;
    stream.on('error', () => {
      if (!counted) failed('read');
      counted = true;
    });
    return stream;
  };
  return store;
}
