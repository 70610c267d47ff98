/**
 * The failover rate, FAILOVER_MAX_MOVES_PER_MINUTE, for the whole deployment: a token bucket in one
 * database row (`move_rate_bucket`), refilled continuously at the rate and holding at most ten
 * seconds' worth, taken under the row's lock — so two replicas (or two pings) together never start
 * more moves than the rate allows, and moves that wait between two pings lose nothing the gap
 * refilled. Failovers, drains and rebalances draw from the same bucket: together they are the load
 * moves put on the panels.
 */
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { moveRateBucket } from "@/server/db/schema";

/** The bucket holds this share of a minute's moves: how much a pause between pings may bank. */
const BURST_SECONDS = 10;

export function bucketCapacity(perMinute: number): number {
  return Math.max(1, Math.ceil((perMinute * BURST_SECONDS) / 60));
}

/** Up to `want` move starts; `waitMs` is how long until the next one is due when fewer were granted. */
export async function takeMoveTokens(db: Database, want: number, perMinute: number): Promise<{ granted: number; waitMs: number }> {
  const capacity = bucketCapacity(perMinute);
  const perMs = perMinute / 60_000;
  return db.transaction(async (tx) => {
    await tx.insert(moveRateBucket).values({ id: 1, tokens: capacity, refilledAt: sql`now()` }).onConflictDoNothing();
    const [row] = await tx
      .select({ tokens: moveRateBucket.tokens, elapsedMs: sql<number>`(extract(epoch from now() - ${moveRateBucket.refilledAt}) * 1000)::float8` })
      .from(moveRateBucket)
      .where(eq(moveRateBucket.id, 1))
      .for("update");
    const available = Math.min(capacity, (row?.tokens ?? capacity) + Math.max(0, row?.elapsedMs ?? 0) * perMs);
    const granted = Math.max(0, Math.min(want, Math.floor(available)));
    const left = available - granted;
    await tx.update(moveRateBucket).set({ tokens: left, refilledAt: sql`now()` }).where(eq(moveRateBucket.id, 1));
    return { granted, waitMs: granted < want ? Math.ceil((1 - (left % 1)) / perMs) : 0 };
  });
}

/** Tokens taken but not used (the work ran out, or the time did) go back. */
export async function returnMoveTokens(db: Database, count: number, perMinute: number): Promise<void> {
  if (count <= 0) return;
  await db
    .update(moveRateBucket)
    .set({ tokens: sql`least(${bucketCapacity(perMinute)}, ${moveRateBucket.tokens} + ${count})` })
    .where(eq(moveRateBucket.id, 1));
}
