/** A time limit on work that cannot be cancelled (a panel probe, a query on a database that stopped answering). */

export class DeadlineError extends Error {
  override readonly name = "DeadlineError";
}

/**
 * `work`, or a DeadlineError after `timeoutMs`. The work itself goes on; whatever it settles with
 * later is deliberately ignored, so a late failure never surfaces as an unhandled rejection.
 */
export function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  work.catch(() => {});
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
