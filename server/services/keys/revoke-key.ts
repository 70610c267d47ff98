/**
 * DELETE /api/bot/keys/{telegramId} and the admin's revoke: the assignment leaves the live states
 * and releases its place in one transaction, then the client is deleted from its panel. If the
 * panel cannot be reached the row stays `revoking` and the reconciler finishes the deletion.
 */
import { and, eq, sql } from "drizzle-orm";
import { assignments, vpnUsers } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { ref } from "@/server/messages";
import type { Actor } from "@/server/services/actor";
import { recordAudit } from "@/server/services/audit/record-audit";
import { releaseReservation } from "./capacity";
import type { KeyDeps } from "./key-deps";
import { lockUser, retireAssignment } from "./place-key";

export type RevokeResult = { telegramId: number; revoked: true; removedFromPanel: boolean };

export async function revokeKey(deps: KeyDeps, input: { telegramId: number; actor?: Actor }): Promise<RevokeResult> {
  const retired = await deps.db.transaction(async (tx) => {
    await lockUser(tx, input.telegramId);
    const [live] = await tx
      .select({ assignment: assignments })
      .from(assignments)
      .innerJoin(vpnUsers, eq(vpnUsers.id, assignments.userId))
      .where(and(eq(vpnUsers.telegramId, input.telegramId), sql`${assignments.state} IN ('pending', 'active')`));
    if (!live) throw new AppError("NOT_FOUND", ref("error.user.noKey"));
    if (live.assignment.state === "pending") {
      throw new AppError("IN_FLIGHT", ref("error.user.busy"));
    }
    await tx
      .update(assignments)
      .set({ state: "revoking", updatedAt: sql`now()` })
      .where(eq(assignments.id, live.assignment.id));
    if (live.assignment.nodeId) await releaseReservation(tx, live.assignment.nodeId);
    // An admin's revoke is audited with the change it describes (invariant 9).
    if (input.actor) {
      await recordAudit(tx, input.actor, { action: "key.revoke", targetType: "vpn_user", targetId: String(input.telegramId), before: { assignmentId: live.assignment.id, nodeId: live.assignment.nodeId } });
    }
    return live.assignment;
  });
  deps.metrics?.keyRevoked();
  const removedFromPanel = await retireAssignment(deps, retired);
  return { telegramId: input.telegramId, revoked: true, removedFromPanel };
}
