/**
 * Invariant 6 (single flight): a node is checked by one sweep at a time, across concurrent pings
 * and app replicas, with no coordinator. A sweep claims due nodes by setting a lease on them in one
 * statement; `FOR UPDATE SKIP LOCKED` lets concurrent claims pass each other instead of queueing,
 * and a row claimed by another sweep fails the lease condition when re-checked under the lock.
 * A lease that is never released (the replica died) simply expires.
 */
import { and, asc, inArray, isNull, lt, lte, ne, or, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { nodes, type Node } from "@/server/db/schema";

export function dueNodesCondition(now: Date, dueBefore: Date) {
  return and(
    ne(nodes.adminState, "disabled"),
    or(isNull(nodes.lastCheckAt), lte(nodes.lastCheckAt, dueBefore)),
    or(isNull(nodes.checkLeaseUntil), lt(nodes.checkLeaseUntil, now)),
  );
}

export async function claimDueNodes(
  db: Database,
  options: { owner: string; now: Date; dueBefore: Date; leaseUntil: Date; limit: number },
): Promise<Node[]> {
  const due = db
    .select({ id: nodes.id })
    .from(nodes)
    .where(dueNodesCondition(options.now, options.dueBefore))
    .orderBy(sql`${nodes.lastCheckAt} ASC NULLS FIRST`, asc(nodes.id))
    .limit(options.limit)
    .for("update", { skipLocked: true });
  return db
    .update(nodes)
    .set({ checkLeaseOwner: options.owner, checkLeaseUntil: options.leaseUntil })
    .where(inArray(nodes.id, due))
    .returning();
}
