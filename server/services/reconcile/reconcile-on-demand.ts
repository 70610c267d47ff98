/**
 * An admin's "reconcile now" for one node or the whole fleet. The request is audited first, in its
 * own transaction: the reconcile itself is many small steps, each recorded in its operation row.
 */
import type { Actor } from "@/server/services/actor";
import { recordAudit } from "@/server/services/audit/record-audit";
import type { ReconcileDeps } from "./reconcile-node";
import { runReconcile, type FleetReconcileReport } from "./run-reconcile";

export async function reconcileOnDemand(deps: ReconcileDeps, actor: Actor, input: { nodeId?: string; budgetMs: number }): Promise<FleetReconcileReport> {
  await recordAudit(deps.db, actor, { action: "reconcile.run", targetType: "node", targetId: input.nodeId ?? null });
  // intervalMs 0: every readable node is due, whatever its last run.
  return runReconcile({ ...deps, startedBy: actor.username }, { budgetMs: input.budgetMs, intervalMs: 0, nodeId: input.nodeId });
}
