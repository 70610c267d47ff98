/**
 * An admin moves one user now: an `operations` row of kind `migration` with one item, audited in
 * the transaction that creates it, executed in the request (one move is a few panel calls).
 * Without a target the balancer picks one; a named target must be able to take new users.
 */
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { assignments, nodes, operationItems, operations, vpnUsers } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { ref } from "@/server/messages";
import type { AuditActor } from "@/server/services/actor";
import { recordAudit } from "@/server/services/audit/record-audit";
import { migrateItem, type MoveOutcome } from "./migrate-item";
import type { MigrationDeps } from "./migration-deps";

export const migrateUserInputSchema = z.object({
  telegramId: z.number().int().positive(),
  toNodeId: z.uuid().optional(),
});

export type MigrateUserResult = { operationId: string; outcome: MoveOutcome };

export async function migrateUser(deps: MigrationDeps, actor: AuditActor, input: z.infer<typeof migrateUserInputSchema>): Promise<MigrateUserResult> {
  const { operation, item } = await deps.db.transaction(async (tx) => {
    const rows = await tx
      .select({ userId: vpnUsers.id, nodeId: assignments.nodeId, state: assignments.state, nodeName: nodes.name })
      .from(vpnUsers)
      .innerJoin(assignments, and(eq(assignments.userId, vpnUsers.id), sql`${assignments.state} IN ('pending', 'active')`, eq(assignments.role, "primary")))
      .innerJoin(nodes, eq(nodes.id, assignments.nodeId))
      .where(eq(vpnUsers.telegramId, input.telegramId));
    // A placement in flight (a first key, a refresh or another move) finishes first.
    if (rows.some((r) => r.state === "pending")) throw new AppError("IN_FLIGHT", ref("error.user.keyPending"), { retryAfterSeconds: 1 });
    const live = rows[0];
    if (!live?.nodeId) throw new AppError("NOT_FOUND", ref("error.user.noKeyToMove"));
    if (input.toNodeId === live.nodeId) throw new AppError("BAD_REQUEST", ref("error.user.alreadyThere"), { fields: { toNodeId: ref("user.field.currentNode") } });
    if (input.toNodeId && (await tx.select({ id: nodes.id }).from(nodes).where(eq(nodes.id, input.toNodeId))).length === 0) {
      throw new AppError("NOT_FOUND", ref("error.node.notFound"));
    }
    const [operation] = await tx
      .insert(operations)
      .values({
        kind: "migration",
        status: "running",
        nodeId: live.nodeId,
        targetNodeId: input.toNodeId ?? null,
        startedBy: actor.username,
        actorAdminId: actor.adminId,
        reasonRef: ref("operation.reason.movedByAdmin", { user: input.telegramId, node: live.nodeName }),
        total: 1,
        startedAt: deps.clock.now(),
      })
      .returning();
    if (!operation) throw new Error("operation insert returned nothing");
    const [item] = await tx
      .insert(operationItems)
      .values({ operationId: operation.id, userId: live.userId, fromNodeId: live.nodeId, toNodeId: input.toNodeId ?? null })
      .returning();
    if (!item) throw new Error("operation item insert returned nothing");
    await recordAudit(tx, actor, {
      action: "user.migrate",
      targetType: "vpn_user",
      targetId: String(input.telegramId),
      before: { nodeId: live.nodeId },
      after: { toNodeId: input.toNodeId ?? "balancer", operationId: operation.id },
    });
    return { operation, item };
  });

  const outcome = await migrateItem(deps, item, "manual");
  deps.metrics?.userMoved("manual", outcome);
  await deps.db
    .update(operations)
    .set({
      status: outcome.status === "succeeded" ? "succeeded" : "failed",
      succeeded: outcome.status === "succeeded" ? 1 : 0,
      failed: outcome.status === "succeeded" ? 0 : 1,
      targetNodeId: outcome.status === "succeeded" ? outcome.toNodeId : operation.targetNodeId,
      ...(outcome.status === "succeeded" ? { error: null, errorRef: null } : { error: outcome.detail.code, errorRef: outcome.detail }),
      finishedAt: sql`now()`,
    })
    .where(eq(operations.id, operation.id));
  return { operationId: operation.id, outcome };
}
