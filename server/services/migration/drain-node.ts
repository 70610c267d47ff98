/**
 * Admin actions on a node's service state, each audited in its own transaction:
 *
 * - drain: `draining` (the balancer and the capacity reservation already refuse such nodes, so no
 *   new user lands there) and a `drain` operation whose items the cron moves in batches. With
 *   `deleteWhenEmpty` the node is deleted when the drain has moved everyone — the only way a
 *   node with users is deleted.
 * - undrain: back to `active`; the open drain stops (pending items skipped, moves in flight finish).
 * - return to service: for a node held out after a failover (AUTO_RETURN_TO_SERVICE off) — back
 *   to `active`, open failover/drain stopped. It still takes no new users while `needs_reconcile`
 *   is set: the reconciler clears that once the stale clients are gone.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import { nodes, type Node, type Operation } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { ref } from "@/server/messages";
import type { AuditActor } from "@/server/services/actor";
import { recordAudit, type Transaction } from "@/server/services/audit/record-audit";
import { cancelOperation, createEvacuation, findOpenEvacuation, lockNodeOperations } from "./evacuation";
import type { MigrationDeps } from "./migration-deps";

export const drainNodeInputSchema = z.object({ nodeId: z.uuid(), deleteWhenEmpty: z.boolean().default(false) });
export const nodeIdInputSchema = z.object({ nodeId: z.uuid() });

export type NodeServiceState = { nodeId: string; adminState: Node["adminState"]; needsReconcile: boolean; operation: Pick<Operation, "id" | "kind" | "status" | "total"> | null };

async function lockNode(tx: Transaction, nodeId: string): Promise<Node> {
  await lockNodeOperations(tx, nodeId);
  const [node] = await tx.select().from(nodes).where(eq(nodes.id, nodeId)).for("update");
  if (!node) throw new AppError("NOT_FOUND", ref("error.node.notFound"));
  return node;
}

const view = (node: Node, operation: Operation | null): NodeServiceState => ({
  nodeId: node.id,
  adminState: node.adminState,
  needsReconcile: node.needsReconcile,
  operation: operation ? { id: operation.id, kind: operation.kind, status: operation.status, total: operation.total } : null,
});

export async function drainNode(deps: Pick<MigrationDeps, "db" | "clock">, actor: AuditActor, input: z.input<typeof drainNodeInputSchema>): Promise<NodeServiceState> {
  const { nodeId, deleteWhenEmpty } = drainNodeInputSchema.parse(input);
  return deps.db.transaction(async (tx) => {
    const node = await lockNode(tx, nodeId);
    if (node.adminState === "disabled") throw new AppError("CONFLICT", ref("error.drain.disabled", { node: node.name }));
    const [updated] = await tx.update(nodes).set({ adminState: "draining", updatedAt: new Date() }).where(eq(nodes.id, nodeId)).returning();
    let operation = await findOpenEvacuation(tx, nodeId);
    if (!operation) {
      operation = await createEvacuation(
        tx,
        { kind: "drain", nodeId, startedBy: actor.username, actorAdminId: actor.adminId, reason: ref("operation.reason.drainedByAdmin", { node: node.name }), plan: { deleteWhenEmpty } },
        deps.clock.now(),
      );
    }
    await recordAudit(tx, actor, {
      action: "node.drain",
      targetType: "node",
      targetId: nodeId,
      before: { adminState: node.adminState },
      after: { adminState: "draining", operationId: operation.id, deleteWhenEmpty },
    });
    return view(updated ?? node, operation);
  });
}

async function reactivate(deps: Pick<MigrationDeps, "db">, actor: AuditActor, nodeId: string, action: "node.undrain" | "node.return_to_service"): Promise<NodeServiceState> {
  return deps.db.transaction(async (tx) => {
    const node = await lockNode(tx, nodeId);
    if (action === "node.undrain" && node.adminState !== "draining") throw new AppError("CONFLICT", ref("error.drain.notDraining", { node: node.name }));
    if (action === "node.return_to_service" && node.healthState === "unhealthy") {
      throw new AppError("CONFLICT", ref("error.drain.stillUnhealthy", { node: node.name }));
    }
    const open = await findOpenEvacuation(tx, nodeId);
    if (open) await cancelOperation(tx, open.id, ref(action === "node.undrain" ? "operation.stopped.undrained" : "operation.stopped.returnedToService"));
    const [updated] = await tx.update(nodes).set({ adminState: "active", updatedAt: new Date() }).where(eq(nodes.id, nodeId)).returning();
    await recordAudit(tx, actor, {
      action,
      targetType: "node",
      targetId: nodeId,
      before: { adminState: node.adminState, needsReconcile: node.needsReconcile },
      after: { adminState: "active", cancelledOperationId: open?.id ?? null },
    });
    return view(updated ?? node, null);
  });
}

export function undrainNode(deps: Pick<MigrationDeps, "db">, actor: AuditActor, input: z.input<typeof nodeIdInputSchema>): Promise<NodeServiceState> {
  return reactivate(deps, actor, nodeIdInputSchema.parse(input).nodeId, "node.undrain");
}

export function returnNodeToService(deps: Pick<MigrationDeps, "db">, actor: AuditActor, input: z.input<typeof nodeIdInputSchema>): Promise<NodeServiceState> {
  return reactivate(deps, actor, nodeIdInputSchema.parse(input).nodeId, "node.return_to_service");
}
