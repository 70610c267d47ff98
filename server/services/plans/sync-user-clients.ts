/**
 * Puts a user's plan onto every client they have, right after the plan (or its suspension)
 * changed: the live client gets enable / quota / expiry / device limit, and a client on its way out
 * (`revoking`: the old node of a move or a refresh) is deleted now rather than left working until
 * the reconciler's next visit. A node that is down or refuses is left to the reconciler, which
 * repairs plan drift too; nothing here fails the change that triggered it.
 */
import { and, eq, inArray } from "drizzle-orm";
import { assignments, nodes } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { loadClientPlans } from "@/server/services/keys/client-plan";
import { applyPlanOnNode } from "@/server/services/keys/node-client";
import { retireAssignment } from "@/server/services/keys/retire-assignment";
import type { PlanDeps } from "./plan-deps";

export type SyncResult = { updated: number; retired: number; deferred: number };

export async function syncUserClients(deps: PlanDeps, userId: string): Promise<SyncResult> {
  const rows = await deps.db
    .select({ assignment: assignments, node: nodes })
    .from(assignments)
    .innerJoin(nodes, eq(nodes.id, assignments.nodeId))
    .where(and(eq(assignments.userId, userId), inArray(assignments.state, ["active", "revoking"])));
  const plans = await loadClientPlans(
    deps.db,
    rows.filter((r) => r.assignment.state === "active").map((r) => r.assignment.id),
    deps.clock.now(),
  );
  const result: SyncResult = { updated: 0, retired: 0, deferred: 0 };
  for (const { assignment, node } of rows) {
    if (assignment.state === "revoking") {
      if ((await retireAssignment(deps, assignment)) !== "pending") result.retired++;
      else result.deferred++;
      continue;
    }
    const plan = plans.get(assignment.id);
    if (!plan || node.healthState === "unhealthy") {
      result.deferred++;
      continue;
    }
    try {
      if ((await applyPlanOnNode(deps, node, assignment, plan)) === "updated") result.updated++;
      else result.deferred++;
    } catch (error) {
      logger.warn("could not put a user's plan on their client; the reconciler will", { nodeId: node.id, assignmentId: assignment.id, error });
      result.deferred++;
    }
  }
  return result;
}
