/**
 * An admin asks to see a user's key and subscription URL. Lists never carry them (a viewer must
 * not, and an admin should not by accident); this is the one way the dashboard gets them, and the
 * audit row naming who looked is written in the same transaction as the read (invariant 9).
 */
import { and, eq } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { assignments, vpnUsers } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import type { Actor } from "@/server/services/actor";
import { recordAudit } from "@/server/services/audit/record-audit";
import { IS_CURRENT_ASSIGNMENT, subscriptionUrlFor } from "@/server/services/keys/find-user-key";
import { ref } from "@/server/messages";

export type RevealedKey = { telegramId: number; key: string | null; subscriptionUrl: string };

export async function revealUserKey(deps: { db: Database; publicUrl: string }, actor: Actor, input: { telegramId: number }): Promise<RevealedKey> {
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ token: vpnUsers.subscriptionToken, assignmentId: assignments.id, nodeId: assignments.nodeId, key: assignments.shareLink })
      .from(vpnUsers)
      .leftJoin(assignments, and(eq(assignments.userId, vpnUsers.id), IS_CURRENT_ASSIGNMENT))
      .where(eq(vpnUsers.telegramId, input.telegramId))
      .limit(1);
    if (!row) throw new AppError("NOT_FOUND", ref("error.user.notFound"));
    await recordAudit(tx, actor, {
      action: "key.reveal",
      targetType: "vpn_user",
      targetId: String(input.telegramId),
      after: { assignmentId: row.assignmentId, nodeId: row.nodeId, hasKey: row.key !== null },
    });
    return { telegramId: input.telegramId, key: row.key, subscriptionUrl: subscriptionUrlFor(deps.publicUrl, row.token) };
  });
}
