/**
 * A duplicate request that finds another request's `pending` key waits for it to settle rather
 * than touching it — two requests never call a panel for the same email at once (invariant 2).
 */
import { AppError } from "@/server/errors";
import { ref } from "@/server/messages";
import { findUserKey, isServable, type UserKeyRow } from "./find-user-key";
import type { KeyDeps } from "./key-deps";

const DEFAULT_WAIT_MS = 5_000;
const POLL_EVERY_MS = 50;

/** The servable row once the in-flight request finished; null when it ended without a key. */
export async function awaitInFlight(deps: KeyDeps, telegramId: number): Promise<UserKeyRow | null> {
  const deadline = Date.now() + (deps.inFlightWaitMs ?? DEFAULT_WAIT_MS);
  for (;;) {
    const row = await findUserKey(deps.db, telegramId);
    if (row?.assignment?.state !== "pending") return isServable(row) ? row : null;
    if (Date.now() >= deadline) {
      throw new AppError("IN_FLIGHT", ref("error.user.busy"));
    }
    await new Promise((r) => setTimeout(r, POLL_EVERY_MS));
  }
}
