/**
 * The held failover as people see it, and the owner's way out of it.
 *
 * `readFailoverHold` says whether automatic failover holds now (health/blast-radius.ts), why (the
 * newest `failover.held` alert) and which nodes wait because of it: the nodes the sweep kept from
 * becoming unhealthy, and unhealthy nodes with users whose failover has not started. Every
 * dashboard page shows it as a banner.
 *
 * `releaseFailoverHold` is the owner's judgement that one node's failures are real: the next sweep
 * may mark it unhealthy and failover moves its users after the grace period while the rest of the
 * fleet stays held. Audited; cleared when the node is healthy again.
 */
import { and, count, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/server/db/client";
import { assignments, nodes, operations, type NodeHealthState } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import type { MessageRef } from "@/server/message-ref";
import { ref } from "@/server/messages";
import type { AuditActor } from "@/server/services/actor";
import { recordAudit } from "@/server/services/audit/record-audit";
import type { Clock } from "@/server/services/clock";
import { countDown, isHoldActive, latestHoldEvent } from "@/server/services/health/blast-radius";
import { EVACUATION_KINDS } from "./evacuation";

export const releaseFailoverHoldInputSchema = z.object({ nodeId: z.uuid() });

export type HeldNode = {
  id: string;
  name: string;
  healthState: NodeHealthState;
  consecutiveFailures: number;
  /** Users with a key on the node. */
  users: number;
  isReleased: boolean;
};

export type FailoverHold = {
  isHeld: boolean;
  /** When the newest `failover.held` alert was raised. */
  since: Date | null;
  reason: MessageRef | null;
  nodes: HeldNode[];
};

export async function readFailoverHold(deps: { db: Database; clock: Clock }): Promise<FailoverHold> {
  const { db } = deps;
  const now = deps.clock.now();
  const [latest, fleet] = await Promise.all([
    latestHoldEvent(db),
    db.select({ adminState: nodes.adminState, healthState: nodes.healthState, failoverHoldReleasedAt: nodes.failoverHoldReleasedAt }).from(nodes),
  ]);
  const isHeld = isHoldActive(latest, now) || countDown(fleet).isOverLimit;
  if (!isHeld) return { isHeld, since: null, reason: null, nodes: [] };

  const heldBySweep = isHoldActive(latest, now) ? ((latest?.data as { heldNodeIds?: string[] } | null)?.heldNodeIds ?? []) : [];
  const users = db
    .select({ nodeId: assignments.nodeId, n: count().as("n") })
    .from(assignments)
    .where(and(eq(assignments.state, "active"), eq(assignments.role, "primary")))
    .groupBy(assignments.nodeId)
    .as("users");
  const openEvacuation = sql`EXISTS (SELECT 1 FROM ${operations} WHERE ${operations.nodeId} = ${nodes.id} AND ${operations.kind} IN ${[...EVACUATION_KINDS]} AND ${operations.status} IN ('pending', 'running'))`;
  const rows = await db
    .select({
      id: nodes.id,
      name: nodes.name,
      healthState: nodes.healthState,
      consecutiveFailures: nodes.consecutiveFailures,
      users: sql<number>`coalesce(${users.n}, 0)`.mapWith(Number),
      releasedAt: nodes.failoverHoldReleasedAt,
    })
    .from(nodes)
    .leftJoin(users, eq(users.nodeId, nodes.id))
    .where(
      sql`${nodes.adminState} <> 'disabled' AND NOT ${openEvacuation} AND (
        (${nodes.healthState} = 'unhealthy' AND coalesce(${users.n}, 0) > 0)
        OR (${heldBySweep.length > 0 ? inArray(nodes.id, heldBySweep) : sql`false`} AND ${nodes.consecutiveFailures} > 0)
      )`,
    )
    .orderBy(nodes.name);
  return {
    isHeld,
    since: latest?.createdAt ?? null,
    reason: latest?.messageRef ?? null,
    nodes: rows.map(({ releasedAt, ...node }) => ({ ...node, isReleased: releasedAt !== null })),
  };
}

export async function releaseFailoverHold(deps: { db: Database; clock: Clock }, actor: AuditActor, input: z.input<typeof releaseFailoverHoldInputSchema>): Promise<{ nodeId: string; releasedAt: Date }> {
  const { nodeId } = releaseFailoverHoldInputSchema.parse(input);
  const releasedAt = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [node] = await tx.select().from(nodes).where(eq(nodes.id, nodeId)).for("update");
    if (!node) throw new AppError("NOT_FOUND", ref("error.node.notFound"));
    await tx.update(nodes).set({ failoverHoldReleasedAt: releasedAt }).where(eq(nodes.id, nodeId));
    await recordAudit(tx, actor, {
      action: "node.failover_hold_release",
      targetType: "node",
      targetId: nodeId,
      before: { failoverHoldReleasedAt: node.failoverHoldReleasedAt, healthState: node.healthState, consecutiveFailures: node.consecutiveFailures },
      after: { failoverHoldReleasedAt: releasedAt },
    });
    return { nodeId, releasedAt };
  });
}
