/**
 * Invariant 1 — capacity is changed only here, by conditional UPDATEs run inside the transaction
 * that creates, moves or ends the assignment they account for. Under READ COMMITTED a concurrent
 * updater of the same node row waits, and Postgres re-evaluates the WHERE against the row it
 * then sees, so check-and-increment is atomic; the CHECK constraint is the backstop.
 */
import { and, eq, gt, inArray, lt, sql } from "drizzle-orm";
import { nodes, type Node } from "@/server/db/schema";
import type { Transaction } from "@/server/services/audit/record-audit";

/** One unit on a node that may take new users now; null when it is full or no longer eligible. */
export async function reserveForNewUser(tx: Transaction, nodeId: string): Promise<Node | null> {
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

export async function releaseReservation(tx: Transaction, nodeId: string): Promise<void> {
  // Never below zero: a drifted counter is the reconciler's to recompute and report, not a crash here.
  await tx
    .update(nodes)
    .set({ reservedCount: sql`${nodes.reservedCount} - 1` })
    .where(and(eq(nodes.id, nodeId), gt(nodes.reservedCount, 0)));
}
