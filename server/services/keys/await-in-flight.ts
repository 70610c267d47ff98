/**
 * A duplicate request that finds another request's `pending` key waits for it to settle rather
 * than touching it — two requests never call a panel for the same email at once (invariant 2). It
 * waits only while that request still owns the work: past `settle_by` the work is stale, and the
 * caller settles it itself (settle-in-flight.ts) — nobody is answered IN_FLIGHT past the deadline.
 */
import { AppError } from "@/server/errors";
import { ref } from "@/server/messages";
import { findUserKey, isServable, type UserKeyRow } from "./find-user-key";
import type { KeyDeps } from "./key-deps";

const DEFAULT_WAIT_MS = 5_000;
const POLL_EVERY_MS = 50;

export function inFlight(settleBy: Date | null): AppError {
  const retryAfterMs = settleBy ? settleBy.getTime() - Date.now() : 1_000;
  return new AppError("IN_FLIGHT", ref("error.user.busy"), {
    retryAfterSeconds: Math.min(Math.max(retryAfterMs, 1_000), 60_000) / 1000,
  });
}

/**
 * The user's row once no placement is owned by another request any more: servable (the other
 * request made the key), or not (it failed, or its work went stale: the caller takes over).
 */
export async function awaitInFlight(deps: KeyDeps, telegramId: number): Promise<UserKeyRow | null> {
  const deadline = Date.now() + (deps.inFlightWaitMs ?? DEFAULT_WAIT_MS);
  for (;;) {
    const row = await findUserKey(deps.db, telegramId);
    const isOwned = row?.pendingSettleBy != null && row.pendingSettleBy.getTime() > Date.now() && !row.hasStaleWork;
    if (!isOwned || isServable(row)) return row;
    if (Date.now() >= deadline) throw inFlight(row?.pendingSettleBy ?? null);
    await new Promise((r) => setTimeout(r, POLL_EVERY_MS));
  }
}
