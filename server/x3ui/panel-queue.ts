// Per-node serial queue for panel mutations, in one process only.
// Invariant: for one key, at most one fn runs at a time, in call order. v2 panels
// rewrite the whole inbound JSON on every client change without a lock, so two
// concurrent adds can silently drop one client. The cross-replica half of the
// guarantee (a lease in Postgres) belongs to the caller.

export type PanelQueue = {
  runExclusive<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Keys with queued or running work; lets tests prove the map does not leak. */
  pendingKeys(): string[];
};

/** A queue of its own: one per process in the app; tests give each simulated replica one. */
export function createPanelQueue(): PanelQueue {
  const tails = new Map<string, Promise<unknown>>();
  return {
    runExclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const run = previous.then(fn, fn);
      // The tail never rejects, so one failed mutation does not poison the queue.
      const tail = run.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return run;
    },
    pendingKeys: () => [...tails.keys()],
  };
}

const processQueue = createPanelQueue();

export function runExclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
  return processQueue.runExclusive(key, fn);
}

/** Keys with queued or running work in the process-wide queue. */
export function pendingQueueKeys(): string[] {
  return processQueue.pendingKeys();
}
