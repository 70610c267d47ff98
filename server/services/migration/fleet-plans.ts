/**
 * The database half of plan-moves.ts: read loads and users once, plan purely. The node-loss
 * simulation writes nothing; executing a rebalance records the plan as an operation whose items
 * carry their planned target, moved in batches by the cron (a target that filled up meanwhile is
 * skipped, never overfilled — the reservation re-checks).
 */
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/server/db/client";
import { assignments, operationItems, operations, vpnUsers } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { ref } from "@/server/messages";
import type { AuditActor } from "@/server/services/actor";
import { recordAudit } from "@/server/services/audit/record-audit";
import { readNodeLoads } from "@/server/services/balancer/rank-fleet";
import { movePreference } from "@/server/services/balancer/user-preference";
import { planRebalance, simulateNodeLoss, type MovableUser, type NodeLossSimulation, type RebalancePlan } from "./plan-moves";

const REBALANCE_LOCK_KEY = 7_302_118_004;

export const rebalanceInputSchema = z.object({
  maxMoves: z.number().int().min(1).max(5_000).default(100),
  minGap: z.number().min(0).max(10).default(0.05),
});

/** Active users per node, newest key first (the ones with the least history on their node). */
async function readUsers(db: Database, nodeIds: string[], perNode?: number): Promise<Map<string, MovableUser[]>> {
  const rows = nodeIds.length
    ? await db
        .select({
          nodeId: assignments.nodeId,
          userId: vpnUsers.id,
          telegramId: vpnUsers.telegramId,
          preferredLocation: vpnUsers.preferredLocation,
          isStrictLocation: vpnUsers.isStrictLocation,
          shareLink: assignments.shareLink,
          placementReason: assignments.placementReason,
        })
        .from(assignments)
        .innerJoin(vpnUsers, eq(vpnUsers.id, assignments.userId))
        .where(and(inArray(assignments.nodeId, nodeIds), eq(assignments.state, "active"), eq(assignments.role, "primary")))
        .orderBy(desc(assignments.activatedAt))
    : [];
  const byNode = new Map<string, MovableUser[]>();
  for (const r of rows) {
    if (!r.nodeId) continue;
    const list = byNode.get(r.nodeId) ?? [];
    if (perNode === undefined || list.length < perNode) list.push({ userId: r.userId, telegramId: r.telegramId, preference: movePreference(r, r) });
    byNode.set(r.nodeId, list);
  }
  return byNode;
}

export async function whatIfNodeDies(db: Database, input: { nodeId: string }): Promise<NodeLossSimulation> {
  const loads = await readNodeLoads(db);
  if (!loads.some((n) => n.id === input.nodeId)) throw new AppError("NOT_FOUND", ref("error.node.notFound"));
  const users = (await readUsers(db, [input.nodeId])).get(input.nodeId) ?? [];
  return simulateNodeLoss(loads, input.nodeId, users);
}

export async function getRebalancePlan(db: Database, input: z.input<typeof rebalanceInputSchema>): Promise<RebalancePlan> {
  const { maxMoves, minGap } = rebalanceInputSchema.parse(input);
  const loads = await readNodeLoads(db);
  // No node gives away more than the cap, so that many users per node is all the planner can use.
  const users = await readUsers(db, loads.map((n) => n.id), maxMoves);
  return planRebalance(loads, users, { maxMoves, minGap });
}

export async function executeRebalance(db: Database, actor: AuditActor, input: z.input<typeof rebalanceInputSchema>): Promise<{ operationId: string | null; plan: RebalancePlan }> {
  const plan = await getRebalancePlan(db, input);
  if (plan.moves.length === 0) return { operationId: null, plan };
  const operationId = await db.transaction(async (tx) => {
    // One rebalance at a time: a second plan computed while the first is still moving users would
    // move the same users again. The lock makes two concurrent executes see each other.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${REBALANCE_LOCK_KEY})`);
    const [open] = await tx
      .select({ id: operations.id })
      .from(operations)
      .where(and(eq(operations.kind, "rebalance"), inArray(operations.status, ["pending", "running"])))
      .limit(1);
    if (open) throw new AppError("CONFLICT", ref("error.rebalance.running"));
    const [operation] = await tx
      .insert(operations)
      .values({
        kind: "rebalance",
        status: "running",
        startedBy: actor.username,
        actorAdminId: actor.adminId,
        reasonRef: ref("operation.reason.rebalance", { count: plan.moves.length }),
        plan: { nodes: plan.nodes, parameters: rebalanceInputSchema.parse(input) },
        total: plan.moves.length,
        startedAt: sql`now()`,
      })
      .returning({ id: operations.id });
    if (!operation) throw new Error("operation insert returned nothing");
    await tx
      .insert(operationItems)
      .values(plan.moves.map((m) => ({ operationId: operation.id, userId: m.userId, fromNodeId: m.fromNodeId, toNodeId: m.toNodeId })));
    await recordAudit(tx, actor, { action: "fleet.rebalance", targetType: "operation", targetId: operation.id, after: { moves: plan.moves.length, nodes: plan.nodes } });
    return operation.id;
  });
  return { operationId, plan };
}
