/**
 * PATCH /api/bot/users/{telegramId} and the dashboard's plan edits and bulk actions: change a
 * user's plan under the user's lock (the lock key services take, so a key request never sees half
 * of it), record whether it is now used up — a suspension entered queues user.expired or
 * user.quota_exceeded, a suspension left means the user is back on — audit an admin's change in
 * the same transaction, then put the plan on the user's clients.
 */
import { eq } from "drizzle-orm";
import { vpnUsers, type VpnUser } from "@/server/db/schema";
import { AppError, badRequest } from "@/server/errors";
import { ref } from "@/server/messages";
import type { AuditActor } from "@/server/services/actor";
import { recordAudit } from "@/server/services/audit/record-audit";
import { lockUser } from "@/server/services/keys/placement";
import { extendedExpiry, futureDateErrors, type PlanPatchInput } from "./plan-input";
import type { PlanDeps } from "./plan-deps";
import { syncUserClients } from "./sync-user-clients";
import { notifyUserEvent, SUSPENSION_EVENT } from "./user-events";
import { suspensionOf, toPlanView, type PlanView } from "./user-plan";

export type UserPlanResult = PlanView & {
  telegramId: number;
  username: string | null;
  /** false: a node could not be reached; the reconciler puts the plan on the client later. */
  syncedToPanels: boolean;
};

export type UpdatePlanInput = { telegramId: number; patch: PlanPatchInput; actor?: AuditActor };

const planFields = (u: VpnUser) => ({
  expiresAt: u.expiresAt,
  trafficLimitBytes: u.trafficLimitBytes,
  deviceLimit: u.deviceLimit,
  status: u.status,
  suspension: u.suspension,
  uploadBytes: u.uploadBytes,
  downloadBytes: u.downloadBytes,
});

export async function updateUserPlan(deps: PlanDeps, input: UpdatePlanInput): Promise<UserPlanResult> {
  const now = deps.clock.now();
  const { patch } = input;
  const errors = futureDateErrors(patch, now);
  if (Object.keys(errors).length > 0) throw badRequest(errors);
  const user = await deps.db.transaction(async (tx) => {
    await lockUser(tx, input.telegramId);
    const [before] = await tx.select().from(vpnUsers).where(eq(vpnUsers.telegramId, input.telegramId)).for("update");
    if (!before) throw new AppError("NOT_FOUND", ref("error.user.notFound"));
    const next = {
      expiresAt: patch.expiresAt !== undefined ? patch.expiresAt : patch.extendDays ? extendedExpiry(before.expiresAt, patch.extendDays, now) : before.expiresAt,
      trafficLimitBytes: patch.trafficLimitBytes !== undefined ? patch.trafficLimitBytes : before.trafficLimitBytes,
      deviceLimit: patch.deviceLimit !== undefined ? patch.deviceLimit : before.deviceLimit,
      status: patch.disabled === undefined ? before.status : patch.disabled ? ("disabled" as const) : ("active" as const),
      ...(patch.resetTraffic ? { uploadBytes: 0, downloadBytes: 0, periodStartedAt: now } : {}),
    };
    const suspension = suspensionOf({ ...before, ...next }, now);
    const isNewSuspension = suspension !== null && suspension !== before.suspension;
    const [after] = await tx
      .update(vpnUsers)
      .set({ ...next, suspension, suspendedAt: isNewSuspension ? now : suspension ? before.suspendedAt : null, updatedAt: now })
      .where(eq(vpnUsers.id, before.id))
      .returning();
    if (!after) throw new Error("user update returned nothing");
    if (isNewSuspension) await notifyUserEvent(tx, deps.notifications, SUSPENSION_EVENT[suspension], after, now);
    if (input.actor) {
      await recordAudit(tx, input.actor, {
        action: patch.resetTraffic ? "user.traffic.reset" : "user.plan.update",
        targetType: "vpn_user",
        targetId: String(input.telegramId),
        before: planFields(before),
        after: planFields(after),
      });
    }
    return after;
  });
  const sync = await syncUserClients(deps, user.id);
  return { telegramId: user.telegramId, username: user.username, ...toPlanView(user, now), syncedToPanels: sync.deferred === 0 };
}
