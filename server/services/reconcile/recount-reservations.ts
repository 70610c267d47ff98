/**
 * Recomputes a node's `reserved_count` from the assignments it accounts for, and raises an event
 * when the stored value had drifted (a bug or a manual edit — reservations are otherwise changed
 * only in the transactions that change assignments). The node row is locked first, so every
 * transaction that touched the counter has either committed (its assignments are visible to the
 * count) or waits for us.
 *
 * What counts: `pending` and `active` assignments on the node. A move in flight is a `pending`
 * assignment on its target (and the key it replaces still holds its place on the source until
 * the move's activation releases it), so it is counted like any other placement. Standby
 * assignments (STANDBY_ENABLED) are recounted into `standby_reserved_count` in the same transaction.
 */
import { and, count, eq, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { assignments, events, nodes } from "@/server/db/schema";

export async function recountReservations(db: Database, nodeId: string): Promise<{ before: number; after: number }> {
  return db.transaction(async (tx) => {
    const [node] = await tx
      .select({ reservedCount: nodes.reservedCount, maxUsers: nodes.maxUsers, standbyReservedCount: nodes.standbyReservedCount, standbyMaxUsers: nodes.standbyMaxUsers, name: nodes.name })
      .from(nodes)
      .where(eq(nodes.id, nodeId))
      .for("update");
    if (!node) return { before: 0, after: 0 };
    const byRole = await tx
      .select({ role: assignments.role, n: count() })
      .from(assignments)
      .where(and(eq(assignments.nodeId, nodeId), sql`${assignments.state} IN ('pending', 'active')`))
      .groupBy(assignments.role);
    // Standby places are their own counter; a drift there is corrected the same way, without an event of its own.
    const standbys = Math.min(byRole.find((r) => r.role === "standby")?.n ?? 0, node.standbyMaxUsers);
    if (standbys !== node.standbyReservedCount) await tx.update(nodes).set({ standbyReservedCount: standbys }).where(eq(nodes.id, nodeId));
    const actual = byRole.find((r) => r.role === "primary")?.n ?? 0;
    if (actual === node.reservedCount) return { before: actual, after: actual };
    // The CHECK keeps the counter within max_users; more live rows than places is reported, not stored.
    const after = Math.min(actual, node.maxUsers);
    await tx.update(nodes).set({ reservedCount: after }).where(eq(nodes.id, nodeId));
    await tx.insert(events).values({
      kind: "reconcile.reserved_mismatch",
      severity: actual > node.maxUsers ? "critical" : "warning",
      nodeId,
      message: `Reserved count on ${node.name} was ${node.reservedCount}, the assignments say ${actual}; corrected.`,
      data: { stored: node.reservedCount, counted: actual, maxUsers: node.maxUsers },
    });
    return { before: node.reservedCount, after };
  });
}
