import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/server/db/client";
import { nodes } from "@/server/db/schema";
import type { KeyRing } from "@/server/crypto/secret-box";
import type { AuditActor } from "../actor";
import { recordAudit } from "../audit/record-audit";
import { findNodeOrThrow } from "./list-nodes";
import { toNodeView, type NodeView } from "./node-view";
import { parseInput } from "@/server/errors";

export const setNodeAdminStateInputSchema = z.object({
  id: z.uuid(),
  adminState: z.enum(["active", "draining", "disabled"]),
});

/**
 * Enable, disable (no new users, no health checks) or mark draining. Moving the users off a
 * draining node is the drain operation's job; this only records the admin's intent. A node coming
 * back from disabled has not been checked meanwhile: its health starts over as `unknown` and is
 * checked at the next sweep, so it takes users only after a successful check.
 */
export async function setNodeAdminState(
  deps: { db: Database; keyRing: KeyRing },
  actor: AuditActor,
  input: z.input<typeof setNodeAdminStateInputSchema>,
): Promise<NodeView> {
  const { id, adminState } = parseInput(setNodeAdminStateInputSchema, input);
  const node = await deps.db.transaction(async (tx) => {
    const current = await findNodeOrThrow(tx, id, { forUpdate: true });
    if (current.adminState === adminState) return current;
    const isReturning = current.adminState === "disabled";
    const fresh = { healthState: "unknown" as const, healthChangedAt: new Date(), lastCheckAt: null, consecutiveSuccesses: 0, consecutiveFailures: 0, failingSince: null };
    const [updated] = await tx
      .update(nodes)
      .set({ adminState, ...(isReturning ? fresh : {}), updatedAt: new Date() })
      .where(eq(nodes.id, id))
      .returning();
    await recordAudit(tx, actor, {
      action: "node.set_admin_state",
      targetType: "node",
      targetId: id,
      before: { adminState: current.adminState },
      after: { adminState },
    });
    return updated!;
  });
  return toNodeView(node, deps.keyRing);
}
