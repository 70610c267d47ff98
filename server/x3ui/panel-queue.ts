// Per-node serial queue for panel mutations, in this process only.
// Invariant: for one key, at most one fn runs at a time, in call order. v2 panels
// rewrite the whole inbound JSON on every client change without a lock, so two
// concurrent adds can silently drop one client. The cross-replica half of the
// guarantee (a lease in Postgres) belongs to the caller.

const tails = new Map<string, Promise<unknown>>();

export function runExclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
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
}

/** Keys with queued or running work; lets tests prove the map does not leak. */
export function pendingQueueKeys(): string[] {
  return [...tails.keys()];
}
