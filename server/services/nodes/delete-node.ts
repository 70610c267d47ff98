import { and, count, eq, inArray } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { assignments, nodes } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import type { AuditActor } from "../actor";
import { recordAudit } from "../audit/record-audit";
import { findNodeOrThrow } from "./list-nodes";
import { nodeConfigOf } from "./save-node";

/**
 * Deletes a node that holds no users. The node row is locked first, so a key placement (which
 * reserves capacity with a conditional update of the same row) either finishes before and is
 * counted here, or runs after and finds no node.
 */
export async function deleteNode(deps: { db: Database }, actor: AuditActor, input: { id: string }): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const node = await findNodeOrThrow(tx, input.id, { forUpdate: true });
    const [live] = await tx
      .select({ n: count() })
      .from(assignments)
      .where(and(eq(assignments.nodeId, node.id), inArray(assignments.state, ["pending", "active", "revoking"])));
    const holding = Math.max(live?.n ?? 0, node.reservedCount);
    if (holding > 0) {
      throw new AppError(
        "CONFLICT",
        `Node "${node.name}" still holds ${holding} user${holding === 1 ? "" : "s"}. Drain it first (set it to draining and wait until it is empty), then delete it.`,
      );
    }
    await recordAudit(tx, actor, { action: "node.delete", targetType: "node", targetId: node.id, before: nodeConfigOf(node) });
    await tx.delete(nodes).where(eq(nodes.id, node.id));
  });
}
