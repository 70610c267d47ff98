/**
 * A new key's standby without waiting for the next cron pass, and without holding up the key's
 * answer: the standby is placed after it, in this process's background, through the same steps as
 * the standby pass (place-standby.ts; the user's lock and the pending-row index keep the two from
 * placing twice). At most `maxInFlight` run at once: a burst of new users beyond that is left to the
 * standby pass, so the background work never piles up behind the key path's database connections
 * and panel writers. A process that stops meanwhile leaves a pending row its deadline settles, or
 * nothing; the pass then places the standby.
 */
import { logger } from "@/server/logger";
import type { KeyDeps } from "@/server/services/keys/key-deps";
import { placeStandby } from "./place-standby";

export function standbyAfterKey(deps: () => KeyDeps, options: { maxInFlight: number }): (userId: string) => void {
  let inFlight = 0;
  return (userId) => {
    if (inFlight >= options.maxInFlight) return;
    inFlight++;
    void placeStandby(deps(), userId)
      .catch((error: unknown) => logger.warn("a new key's standby could not be placed now; the standby pass will", { userId, error }))
      .finally(() => inFlight--);
  };
}
