/**
 * An admin creates a VPN user from the dashboard: the user row with its plan and the audit row in
 * one transaction (invariant 9), then their first key — on the node the admin chose, or where the
 * balancer puts it — exactly as a bot request would place it. The answer names the node, not the
 * key: seeing a key is a reveal (reveal-user-key.ts). A user whose key could not be placed yet (no
 * room, panels down) still exists; the answer says why there is no key, and "Issue key" (a
 * refresh) tries again.
 */
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { vpnUsers } from "@/server/db/schema";
import { AppError, badRequest, toAppError, type ErrorText } from "@/server/errors";
import { ref } from "@/server/messages";
import type { AuditActor } from "@/server/services/actor";
import { recordAudit } from "@/server/services/audit/record-audit";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import type { KeyView } from "@/server/services/keys/find-user-key";
import { lockUser, type NewUserPlan } from "@/server/services/keys/placement";
import type { PlanDeps } from "@/server/services/plans/plan-deps";
import { futureDateErrors } from "@/server/services/plans/plan-input";

export type CreateUserInput = NewUserPlan & { telegramId: number; username?: string | null; nodeId?: string; actor: AuditActor };

export type CreateUserResult = { telegramId: number; node: KeyView["node"] | null; keyError: ErrorText | null };

export async function createUser(deps: PlanDeps, input: CreateUserInput): Promise<CreateUserResult> {
  const plan = { expiresAt: input.expiresAt ?? null, trafficLimitBytes: input.trafficLimitBytes ?? null, deviceLimit: input.deviceLimit ?? null };
  const errors = futureDateErrors(plan, deps.clock.now());
  if (Object.keys(errors).length > 0) throw badRequest(errors);
  const username = input.username?.trim().replace(/^@/, "") || null;
  await deps.db.transaction(async (tx) => {
    // The lock key requests take: a bot request for the same id waits, then finds this user.
    await lockUser(tx, input.telegramId);
    const [existing] = await tx.select({ id: vpnUsers.id }).from(vpnUsers).where(eq(vpnUsers.telegramId, input.telegramId));
    if (existing) throw new AppError("CONFLICT", ref("error.user.exists"), { fields: { telegramId: ref("user.field.exists") } });
    // Same form as the tokens key placement issues: 24 random bytes, URL-safe.
    await tx.insert(vpnUsers).values({ telegramId: input.telegramId, username, subscriptionToken: randomBytes(24).toString("base64url"), ...plan });
    await recordAudit(tx, input.actor, {
      action: "user.create",
      targetType: "vpn_user",
      targetId: String(input.telegramId),
      after: { username, nodeId: input.nodeId ?? null, ...plan },
    });
  });
  try {
    const { node } = await getOrCreateKey(deps, { telegramId: input.telegramId, nodeId: input.nodeId });
    return { telegramId: input.telegramId, node, keyError: null };
  } catch (error) {
    return { telegramId: input.telegramId, node: null, keyError: toAppError(error).text };
  }
}
