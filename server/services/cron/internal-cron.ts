/**
 * The in-process scheduler for single-machine installs: runs the cron entry every
 * INTERNAL_CRON_SECONDS. Runs never overlap within the process (the next one is scheduled when the
 * previous one ends); across processes and external pings, single flight comes from the claims the
 * steps take in the database. The timer is unref'd, so it never keeps the process alive.
 */
import { logger } from "@/server/logger";

export type InternalCronDeps = {
  intervalSeconds: number;
  run: () => Promise<unknown>;
};

/** Starts the timer (first run after one interval) and returns a stop function that waits for a run in progress. */
export function startInternalCron(deps: InternalCronDeps): () => Promise<void> {
  const intervalMs = deps.intervalSeconds * 1000;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | null = null;
  let isStopped = false;

  const schedule = (delayMs: number) => {
    if (isStopped) return;
    timer = setTimeout(tick, delayMs);
    timer.unref();
  };
  const tick = () => {
    const started = Date.now();
    current = deps
      .run()
      .then(
        () => undefined,
        (error: unknown) => logger.error("internal cron run failed", { error }),
      )
      .finally(() => {
        current = null;
        schedule(Math.max(0, intervalMs - (Date.now() - started)));
      });
  };

  if (intervalMs > 0) schedule(intervalMs);
  return async () => {
    isStopped = true;
    clearTimeout(timer);
    await current;
  };
}
