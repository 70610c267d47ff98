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
import { rowsOf } from "@/server/db/migrate";
import { moveRateBucket } from "@/server/db/schema";

/** The bucket holds this share of a minute's moves: how much a pause between pings may bank. */
const BURST_SECONDS = 10;

export function bucketCapacity(perMinute: number): number {
  return Math.max(1, Math.ceil((perMinute * BURST_SECONDS) / 60));
}

/**
 * Up to `want` move starts; `waitMs` is how long until the next one is due when fewer were granted.
 * One statement: the row is locked by the sub-select (FOR UPDATE), which also hands the UPDATE the
 * tokens as they were before it, so a concurrent taker waits and then computes from what this one left.
 */
export async function takeMoveTokens(db: Database, want: number, perMinute: number): Promise<{ granted: number; waitMs: number }> {
  const capacity = bucketCapacity(perMinute);
  const perMs = perMinute / 60_000;
  const take = () =>
    db.execute(sql`
      UPDATE ${moveRateBucket} SET tokens = before.available - least(${want}, floor(before.available)), refilled_at = now()
      FROM (
        SELECT least(${capacity}::float8, tokens + greatest(0, extract(epoch from now() - refilled_at) * 1000) * ${perMs}::float8) AS available
        FROM ${moveRateBucket} WHERE id = 1 FOR UPDATE
      ) AS before
      WHERE ${moveRateBucket.id} = 1
      RETURNING before.available::float8 AS available`);
  let [row] = rowsOf<{ available: number }>(await take());
  if (!row) {
    // The first take of the deployment: the bucket starts full.
    await db.insert(moveRateBucket).values({ id: 1, tokens: capacity, refilledAt: sql`now()` }).onConflictDoNothing();
    [row] = rowsOf<{ available: number }>(await take());
  }
  const available = Number(row?.available ?? 0);
  const granted = Math.max(0, Math.min(want, Math.floor(available)));
  const left = available - granted;
  return { granted, waitMs: granted < want ? Math.ceil((1 - (left % 1)) / perMs) : 0 };
}

/** Tokens taken but not used (the work ran out, or the time did) go back. */
export async function returnMoveTokens(db: Database, count: number, perMinute: number): Promise<void> {
  if (count <= 0) return;
  await db
    .update(moveRateBucket)
    .set({ tokens: sql`least(${bucketCapacity(perMinute)}, ${moveRateBucket.tokens} + ${count})` })
    .where(eq(moveRateBucket.id, 1));
}
