/**
 * What a user's plan means for one of their clients on a panel: the client fields `enable`,
 * `totalGB` (bytes), `expiryTime` (ms) and `limitIp`. Every path that creates or repairs a client
 * (placement, moves, the reconciler, plan changes) writes these, so the panel enforces the plan by
 * itself between two ledger passes.
 *
 * The quota is fleet-wide, but a panel only knows its own counter for this client. So the client's
 * `totalGB` is what is left fleet-wide plus what this very counter has already contributed:
 * a new client (counter 0) gets exactly the remaining quota, and as the client's bytes are counted
 * both terms move together, so the value stays put until bytes arrive from elsewhere (a user's old
 * node reporting after a move) or the plan changes.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { assignments, trafficCounters, vpnUsers, type VpnUser } from "@/server/db/schema";
import type { ClientPatch, InboundClient } from "@/server/x3ui/types";

export type ClientPlan = { enable: boolean; totalBytes: number; expiryTime: number; limitIp: number };

export type PlanSource = Pick<VpnUser, "status" | "suspension" | "expiresAt" | "trafficLimitBytes" | "deviceLimit" | "uploadBytes" | "downloadBytes">;

/** A user's plan and the ledger's totals, as the bot API and the dashboard show them. */
export type PlanRow = PlanSource & Pick<VpnUser, "periodStartedAt">;

/** The columns clientPlanFor reads, for selects. */
export const PLAN_COLUMNS = {
  status: vpnUsers.status,
  suspension: vpnUsers.suspension,
  expiresAt: vpnUsers.expiresAt,
  trafficLimitBytes: vpnUsers.trafficLimitBytes,
  deviceLimit: vpnUsers.deviceLimit,
  uploadBytes: vpnUsers.uploadBytes,
  downloadBytes: vpnUsers.downloadBytes,
};

export const PLAN_ROW_COLUMNS = { ...PLAN_COLUMNS, periodStartedAt: vpnUsers.periodStartedAt };

/** No plan: what clients created before plans existed carry, and what an unlimited user gets. */
export const UNLIMITED_PLAN: ClientPlan = { enable: true, totalBytes: 0, expiryTime: 0, limitIp: 0 };

/**
 * `counted`: the bytes (up + down) this client's counter has already added to the user's totals.
 * A client is switched on only for an active user with time and quota left; the plan enforcer
 * records the suspension (and tells the bot) separately, so a client created in between is
 * never switched on by mistake.
 */
export function clientPlanFor(user: PlanSource, counted: number, now: Date): ClientPlan {
  const remaining = user.trafficLimitBytes === null ? null : user.trafficLimitBytes - user.uploadBytes - user.downloadBytes;
  const hasTime = user.expiresAt === null || user.expiresAt.getTime() > now.getTime();
  return {
    enable: user.status === "active" && user.suspension === null && hasTime && (remaining === null || remaining > 0),
    // 0 would mean "unlimited" to the panel: a user with nothing left gets a quota its counter has already reached.
    totalBytes: remaining === null ? 0 : Math.max(1, remaining + counted),
    expiryTime: user.expiresAt?.getTime() ?? 0,
    limitIp: user.deviceLimit ?? 0,
  };
}

export function planPatch(plan: ClientPlan): ClientPatch {
  return { enable: plan.enable, totalBytes: plan.totalBytes, expiryTime: plan.expiryTime, limitIp: plan.limitIp };
}

export function hasPlan(client: Pick<InboundClient, "enable" | "totalBytes" | "expiryTime" | "limitIp">, plan: ClientPlan): boolean {
  return client.enable === plan.enable && client.totalBytes === plan.totalBytes && client.expiryTime === plan.expiryTime && client.limitIp === plan.limitIp;
}

/** The plan of each of these assignments' clients: one query over their users and counters. */
export async function loadClientPlans(db: Database, assignmentIds: string[], now: Date): Promise<Map<string, ClientPlan>> {
  if (assignmentIds.length === 0) return new Map();
  const rows = await db
    .select({ assignmentId: assignments.id, user: PLAN_COLUMNS, counted: sql<number>`coalesce(${trafficCounters.up} + ${trafficCounters.down}, 0)`.mapWith(Number) })
    .from(assignments)
    .innerJoin(vpnUsers, eq(vpnUsers.id, assignments.userId))
    .leftJoin(
      trafficCounters,
      and(eq(trafficCounters.nodeId, assignments.nodeId), eq(trafficCounters.inboundId, assignments.inboundId), eq(trafficCounters.email, assignments.clientEmail)),
    )
    .where(inArray(assignments.id, assignmentIds));
  return new Map(rows.map((r) => [r.assignmentId, clientPlanFor(r.user, r.counted, now)]));
}
