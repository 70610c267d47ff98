/**
 * Ends a `revoking` assignment on its panel: the client is deleted, or — where the panel refuses
 * (v2 keeps an inbound's last client) — switched off, which drops it from the running Xray, and the
 * row records that (`panel_disabled_at`) so the reconciler deletes it once the panel allows. Then
 * the row is `revoked`, fenced by the node's writer. Used by revoke, by a rotation for the key it
 * replaced, by migration for the old node, and by whoever settles a retirement left stale.
 *
 * On any failure the row stays `revoking` with its `settle_by`: the user's next request or the
 * reconciler finishes it. A node the health sweep declared down is not called at all — the call
 * would only cost the caller a timeout; the node is reconciled before it takes users again.
 */
import { and, eq, sql } from "drizzle-orm";
import { assignments, nodes, type Assignment } from "@/server/db/schema";
import { logger } from "@/server/logger";
import type { KeyWorkDeps } from "./key-deps";
import { removeClientFromNode } from "./node-client";
import { withNodeWriter, writerHolds } from "./node-writer";
import { EJECTION_CLEARED, ejectNode, isNodeFailure } from "./outlier-ejection";

/** deleted/absent: the client is gone; disabled: switched off on a panel that refused the delete; pending: not done (left for later). */
export type RetireOutcome = "deleted" | "absent" | "disabled" | "pending";

export async function retireAssignment(
  deps: KeyWorkDeps,
  retired: Pick<Assignment, "id" | "nodeId" | "inboundId" | "clientEmail">,
  options: { evenIfEjected?: boolean } = {},
): Promise<RetireOutcome> {
  const [node] = retired.nodeId ? await deps.db.select().from(nodes).where(eq(nodes.id, retired.nodeId)) : [];
  // A node that is down — or, for a request someone waits on, failing right now (outlier cool-off) — would only cost a timeout.
  const isCoolingOff = !options.evenIfEjected && node?.ejectedUntil != null && node.ejectedUntil.getTime() > Date.now();
  if (!node || node.healthState === "unhealthy" || isCoolingOff) {
    await leaveForLater(deps, retired.id);
    return "pending";
  }
  try {
    return await withNodeWriter(deps, node.id, async (writer) => {
      const [row] = await deps.db.select({ state: assignments.state }).from(assignments).where(eq(assignments.id, retired.id));
      // Finished by someone else meanwhile (a concurrent revoke, the reconciler).
      if (row?.state !== "revoking") return row?.state === "revoked" ? "absent" : "pending";
      const outcome = await removeClientFromNode(deps, writer, node, retired);
      await deps.steps?.("retire.removed", { assignmentId: retired.id });
      const [closed] = await deps.db
        .update(assignments)
        .set({
          state: "revoked",
          settleBy: null,
          endedAt: sql`now()`,
          updatedAt: sql`now()`,
          ...(outcome === "disabled" ? { panelDisabledAt: sql`now()` } : {}),
        })
        .where(and(eq(assignments.id, retired.id), eq(assignments.state, "revoking"), writerHolds(writer)))
        .returning({ id: assignments.id });
      if (node.ejections > 0) await deps.db.update(nodes).set(EJECTION_CLEARED).where(eq(nodes.id, node.id));
      return closed ? outcome : "pending";
    });
  } catch (error) {
    if (isNodeFailure(error)) await ejectNode(deps.db, node.id, deps.ejection);
    logger.warn("could not take a retired client off its panel; it is retried later", { assignmentId: retired.id, nodeId: node.id, error });
    await leaveForLater(deps, retired.id).catch(() => {});
    return "pending";
  }
}

/** This request gives the retirement up: whoever comes next (the user's next request, the reconciler) may finish it at once. */
async function leaveForLater(deps: KeyWorkDeps, assignmentId: string): Promise<void> {
  await deps.db
    .update(assignments)
    .set({ settleBy: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(assignments.id, assignmentId), eq(assignments.state, "revoking")));
}
