/**
 * Gives a standby up: under its user's lock it leaves `active` and its standby place is released
 * (one transaction), then its client is taken off the panel, or — when the panel cannot be reached —
 * left `revoking` for whoever settles stale retirements.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import { assignments, vpnUsers, type Assignment } from "@/server/db/schema";
import { releaseReservation } from "@/server/services/keys/capacity";
import type { KeyWorkDeps } from "@/server/services/keys/key-deps";
import { lockUser, settleDeadline } from "@/server/services/keys/placement";
import { retireAssignment } from "@/server/services/keys/retire-assignment";

export type RetirableStandby = Pick<Assignment, "id" | "userId" | "nodeId" | "inboundId" | "clientEmail">;

/** `onlyIfKeyless`: only when its user holds no key any more (a revoke came while the standby was being placed). */
export async function retireStandby(deps: KeyWorkDeps, standby: RetirableStandby, options: { onlyIfKeyless?: boolean } = {}): Promise<boolean> {
  const retired = await deps.db.transaction(async (tx) => {
    const [user] = await tx.select({ telegramId: vpnUsers.telegramId }).from(vpnUsers).where(eq(vpnUsers.id, standby.userId));
    if (user) await lockUser(tx, user.telegramId);
    if (options.onlyIfKeyless) {
      const [key] = await tx
        .select({ id: assignments.id })
        .from(assignments)
        .where(and(eq(assignments.userId, standby.userId), eq(assignments.role, "primary"), inArray(assignments.state, ["pending", "active"])))
        .limit(1);
      if (key) return false;
    }
    const rows = await tx
      .update(assignments)
      .set({ state: "revoking", settleBy: settleDeadline(deps), updatedAt: sql`now()` })
      .where(and(eq(assignments.id, standby.id), eq(assignments.state, "active"), eq(assignments.role, "standby")))
      .returning({ id: assignments.id });
    if (rows.length > 0 && standby.nodeId) await releaseReservation(tx, standby.nodeId, "standby");
    return rows.length > 0;
  });
  if (retired) await retireAssignment(deps, standby);
  return retired;
}
