/**
 * A bounded pool over work claimed from the database a slice at a time: claims again only when a
 * quarter of the slots are free (so claims cost few statements per item), never starts work once
 * `hasTimeFor` says the budget is spent, and waits for what is running before it returns.
 * Whether the claim left anything due is the caller's to tell (`drained`).
 */
export async function runClaimPool<T>(options: {
  concurrency: number;
  /** Up to `limit` items, each claimed for this caller only. */
  claim: (limit: number) => Promise<T[]>;
  run: (item: T) => Promise<void>;
  hasTimeFor: () => boolean;
}): Promise<{ isOutOfTime: boolean }> {
  const concurrency = Math.max(1, options.concurrency);
  const refillAt = Math.max(1, Math.ceil(concurrency / 4));
  const inFlight = new Set<Promise<void>>();
  let isDrained = false;
  let isOutOfTime = false;
  while (!isDrained) {
    if (!options.hasTimeFor()) {
      isOutOfTime = true;
      break;
    }
    const free = concurrency - inFlight.size;
    if (free >= refillAt || inFlight.size === 0) {
      const claimed = await options.claim(free);
      isDrained = claimed.length < free;
      for (const item of claimed) {
        const task: Promise<void> = options.run(item).finally(() => inFlight.delete(task));
        inFlight.add(task);
      }
    }
    if (inFlight.size === 0) break;
    if (!isDrained) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return { isOutOfTime };
}
