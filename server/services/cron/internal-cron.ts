/**
 * The in-process scheduler for single-machine installs: runs the cron entry every
 * INTERNAL_CRON_SECONDS. Runs never overlap within the process (the next one is scheduled when the
 * previous one ends); across processes and external pings, single flight comes from the claims the
 * steps take in the database. The timer is unref'd, so it never keeps the process alive.
 */
import { logger } from "@/server/logger";

/** Time and timers, injected so tests step through runs instead of waiting for them. */
export type Scheduler = {
  now: () => number;
  /** Calls `fn` after `delayMs`; the returned function cancels it. */
  schedule: (fn: () => void, delayMs: number) => () => void;
};

export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  schedule: (fn, delayMs) => {
    const timer = setTimeout(fn, delayMs);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export type InternalCronDeps = {
  intervalSeconds: number;
  run: () => Promise<unknown>;
  scheduler?: Scheduler;
};

/** Starts the timer (first run after one interval) and returns a stop function that waits for a run in progress. */
export function startInternalCron(deps: InternalCronDeps): () => Promise<void> {
  const scheduler = deps.scheduler ?? systemScheduler;
  const intervalMs = deps.intervalSeconds * 1000;
  let cancel: (() => void) | undefined;
  let current: Promise<void> | null = null;
  let isStopped = false;

  const schedule = (delayMs: number) => {
    if (isStopped) return;
    cancel = scheduler.schedule(tick, delayMs);
  };
  const tick = () => {
    const started = scheduler.now();
    current = deps
      .run()
      .then(
        () => undefined,
        (error: unknown) => logger.error("internal cron run failed", { error }),
      )
      .finally(() => {
        current = null;
        schedule(Math.max(0, intervalMs - (scheduler.now() - started)));
      });
  };

  if (intervalMs > 0) schedule(intervalMs);
  return async () => {
    isStopped = true;
    cancel?.();
    await current;
  };
}
