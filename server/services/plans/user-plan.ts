/**
 * A user's plan as callers see it, and the two judgements made from it everywhere: whether the
 * plan is used up (`suspensionOf`: what the enforcer records) and what the user's access is now
 * (`accessOf`: disabled by hand, expired, over quota, or active).
 */
import type { VpnUser } from "@/server/db/schema";
import type { PlanRow } from "@/server/services/keys/client-plan";

export type Suspension = NonNullable<VpnUser["suspension"]>;
export type Access = "active" | "disabled" | Suspension;


export function usedBytes(user: Pick<VpnUser, "uploadBytes" | "downloadBytes">): number {
  return user.uploadBytes + user.downloadBytes;
}

/** Expiry first: a plan that ran out of time is expired whatever its usage. */
export function suspensionOf(user: Pick<VpnUser, "expiresAt" | "trafficLimitBytes" | "uploadBytes" | "downloadBytes">, now: Date): Suspension | null {
  if (user.expiresAt && user.expiresAt.getTime() <= now.getTime()) return "expired";
  if (user.trafficLimitBytes !== null && usedBytes(user) >= user.trafficLimitBytes) return "over_quota";
  return null;
}

export function accessOf(user: Pick<VpnUser, "status" | "suspension" | "expiresAt" | "trafficLimitBytes" | "uploadBytes" | "downloadBytes">, now: Date): Access {
  if (user.status === "disabled") return "disabled";
  return user.suspension ?? suspensionOf(user, now) ?? "active";
}

export type PlanView = {
  /** active, disabled (by an admin or the bot), expired, over_quota. */
  status: Access;
  plan: { expiresAt: Date | null; trafficLimitBytes: number | null; deviceLimit: number | null; disabled: boolean };
  usage: { uploadBytes: number; downloadBytes: number; usedBytes: number; remainingBytes: number | null; periodStartedAt: Date };
};

export function toPlanView(user: PlanRow, now: Date): PlanView {
  const used = usedBytes(user);
  return {
    status: accessOf(user, now),
    plan: { expiresAt: user.expiresAt, trafficLimitBytes: user.trafficLimitBytes, deviceLimit: user.deviceLimit, disabled: user.status === "disabled" },
    usage: {
      uploadBytes: user.uploadBytes,
      downloadBytes: user.downloadBytes,
      usedBytes: used,
      remainingBytes: user.trafficLimitBytes === null ? null : Math.max(0, user.trafficLimitBytes - used),
      periodStartedAt: user.periodStartedAt,
    },
  };
}

/** Days ahead that count as "expiring soon": the user.expiring horizon, or a week when that webhook is off. */
export function expiringHorizonDays(expiringDays: number): number {
  return expiringDays > 0 ? expiringDays : 7;
}
