/**
 * Invariant 1 — capacity is changed only here, by conditional UPDATEs run inside the transaction
 * that creates, moves or ends the assignment they account for. Under READ COMMITTED a concurrent
 * updater of the same node row waits, and Postgres re-evaluates the WHERE against the row it
 * then sees, so check-and-increment is atomic; the CHECK constraint is the backstop.
 */
import { and, asc, eq, gt, inArray, lt, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { nodes, type Node } from "@/server/db/schema";
import type { Transaction } from "@/server/services/audit/record-audit";
import { isNotEjected } from "./outlier-ejection";

/** One unit on a node that may take new users now; null when it is full or no longer eligible. */
export async function reserveForNewUser(tx: Transaction | Database, nodeId: string): Promise<Node | null> {
  const [node] = await tx
    .update(nodes)
    .set({ reservedCount: sql`${nodes.reservedCount} + 1` })
    .where(
      and(
        eq(nodes.id, nodeId),
        lt(nodes.reservedCount, nodes.maxUsers),
        eq(nodes.adminState, "active"),
        eq(nodes.needsReconcile, false),
        inArray(nodes.healthState, ["healthy", "degraded"]),
        isNotEjected,
      ),
    )
    .returning();
  return node ?? null;
}

/** One unit on a node whatever its state: taking back a user's own earlier place. */
export async function reserveAnyRoom(tx: Transaction, nodeId: string): Promise<boolean> {
  const rows = await tx
    .update(nodes)
    .set({ reservedCount: sql`${nodes.reservedCount} + 1` })
    .where(and(eq(nodes.id, nodeId), lt(nodes.reservedCount, nodes.maxUsers)))
    .returning({ id: nodes.id });
  return rows.length > 0;
}

/**
 * Locks the rows of the nodes a transaction is about to change, in id order, before changing any:
 * two transactions touching the same two nodes (refreshes or moves in opposite directions) then
 * queue instead of deadlocking. Needed only when more than one node row is written.
 */
export async function lockNodesInOrder(tx: Transaction, nodeIds: (string | null | undefined)[]): Promise<void> {
  const ids = [...new Set(nodeIds.filter((id): id is string => Boolean(id)))];
  if (ids.length < 2) return;
  await tx.select({ id: nodes.id }).from(nodes).where(inArray(nodes.id, ids)).orderBy(asc(nodes.id)).for("update");
}

export async function releaseReservation(tx: Transaction, nodeId: string): Promise<void> {
  // Never below zero: a drifted counter is the reconciler's to recompute and report, not a crash here.
  await tx
    .update(nodes)
    .set({ reservedCount: sql`${nodes.reservedCount} - 1` })
    .where(and(eq(nodes.id, nodeId), gt(nodes.reservedCount, 0)));
}
