/**
 * Invariant 1 — capacity is changed only here, by conditional UPDATEs run inside the transaction
 * that creates, moves or ends the assignment they account for. Under READ COMMITTED a concurrent
 * updater of the same node row waits, and Postgres re-evaluates the WHERE against the row it
 * then sees, so check-and-increment is atomic; the CHECK constraint is the backstop.
 */
import { and, asc, eq, gt, inArray, lt, ne, sql, type SQL } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { assignments, nodes, type AssignmentRole, type Node } from "@/server/db/schema";
import type { Transaction } from "@/server/services/audit/record-audit";
import { isNotEjected } from "./outlier-ejection";

/** The counter a role's places are kept in, and its limit: standby places are counted apart from `max_users`. */
function placesOf(role: AssignmentRole) {
  return role === "primary"
    ? { count: nodes.reservedCount, limit: nodes.maxUsers, add: (n: number) => ({ reservedCount: sql`${nodes.reservedCount} + ${n}` }) }
    : { count: nodes.standbyReservedCount, limit: nodes.standbyMaxUsers, add: (n: number) => ({ standbyReservedCount: sql`${nodes.standbyReservedCount} + ${n}` }) };
}

/**
 * The reservation's UPDATE, unsent: it returns the node row when the node took one unit (of `role`'s
 * places) and may take new users now, else nothing. Also a CTE of placement's one-statement new user,
 * which sets the writer's lease columns with it (`alsoSet`).
 */
export function reservationStatement(tx: Transaction | Database, nodeId: string, role: AssignmentRole = "primary", alsoSet: Partial<Record<keyof Node, SQL>> = {}) {
  const places = placesOf(role);
  return tx
    .update(nodes)
    .set({ ...alsoSet, ...places.add(1) })
    .where(
      and(
        eq(nodes.id, nodeId),
        lt(places.count, places.limit),
        eq(nodes.adminState, "active"),
        eq(nodes.needsReconcile, false),
        inArray(nodes.healthState, ["healthy", "degraded"]),
        isNotEjected,
      ),
    )
    .returning();
}

/** One unit (of `role`'s places) on a node that may take new users now; null when it is full or no longer eligible. */
export async function reserveForNewUser(tx: Transaction | Database, nodeId: string, role: AssignmentRole = "primary"): Promise<Node | null> {
  const [node] = await reservationStatement(tx, nodeId, role);
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

/**
 * A place for `userId`'s `role` on a node, never where the user holds a live assignment of the other
 * role: one node's death must not take a user's primary and standby together. The check runs after
 * the reservation's UPDATE has locked the node row, so two transactions placing the two roles of one
 * user on one node queue there and the second one sees the first one's row (READ COMMITTED reads
 * each statement afresh); it then gives the place back and gets null, like a full node.
 *
 * A miss leaves the node's row unlocked. A conditional UPDATE that waited for another writer of the
 * row and then found the node no longer eligible (ejected, full) has locked the row all the same,
 * until the transaction ends; a placement going on to its next candidate would hold two node rows
 * taken in rank order and deadlock with a move that locks the same two in id order
 * (lockNodesInOrder). So each attempt starts at a savepoint, and a miss rolls back to it, which
 * releases the row (and gives back a place taken for a refused role).
 */
export async function reservePlace(tx: Transaction, nodeId: string, userId: string, role: AssignmentRole): Promise<Node | null> {
  await tx.execute(sql`SAVEPOINT reserve_place`);
  const node = await reserveForNewUser(tx, nodeId, role);
  if (node) {
    const [other] = await tx
      .select({ id: assignments.id })
      .from(assignments)
      .where(and(eq(assignments.userId, userId), eq(assignments.nodeId, nodeId), ne(assignments.role, role), inArray(assignments.state, ["pending", "active"])))
      .limit(1);
    if (!other) return node;
  }
  await tx.execute(sql`ROLLBACK TO SAVEPOINT reserve_place`);
  return null;
}

export async function releaseReservation(tx: Transaction, nodeId: string, role: AssignmentRole = "primary"): Promise<void> {
  // Never below zero: a drifted counter is the reconciler's to recompute and report, not a crash here.
  const { count, add } = placesOf(role);
  await tx
    .update(nodes)
    .set(add(-1))
    .where(and(eq(nodes.id, nodeId), gt(count, 0)));
}
