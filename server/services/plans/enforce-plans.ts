/**
 * The plan enforcer. A user whose plan is used up — past `expires_at`, or fleet-wide usage at the
 * limit — is recorded as suspended (with user.expired / user.quota_exceeded queued in the same
 * transaction, so the webhook goes out once) and switched off on every node they have a client
 * on. The traffic ledger calls it for the users a reading took over the limit, so that happens in
 * the same pass; the cron step sweeps for the rest (expiries, readings applied elsewhere).
 * Suspensions are lifted only by a plan change (update-plan.ts), which re-enables the clients.
 *
 * Also announces expiries ahead of time: user.expiring once per expiry date, USER_EXPIRING_DAYS
 * before it. Every step is a conditional UPDATE, so replicas and overlapping pings act once.
 */
import { and, eq, gt, inArray, isNotNull, isNull, lte, sql } from "drizzle-orm";
import { vpnUsers } from "@/server/db/schema";
import { logger } from "@/server/logger";
import type { PlanDeps } from "./plan-deps";
import { syncUserClients } from "./sync-user-clients";
import { notifyUserEvent, SUSPENSION_EVENT } from "./user-events";
import { suspensionOf } from "./user-plan";

const DAY_MS = 86_400_000;
/** Users handled per run; the rest wait for the next ping. */
const BATCH = 500;
const SYNC_CONCURRENCY = 8;

export type EnforceReport = { suspended: number; clientsUpdated: number; deferred: number };

/** Suspends the given users (or, without ids, everyone due) whose plan is used up, and switches their clients off. */
export async function enforcePlans(deps: PlanDeps, options: { userIds?: string[] } = {}): Promise<EnforceReport> {
  const now = deps.clock.now();
  const report: EnforceReport = { suspended: 0, clientsUpdated: 0, deferred: 0 };
  if (options.userIds?.length === 0) return report;
  // The two partial indexes (unsuspended with an expiry; unsuspended at or over the limit) keep the sweep off the other users.
  const due = sql`${vpnUsers.suspension} IS NULL AND (
      (${vpnUsers.expiresAt} IS NOT NULL AND ${vpnUsers.expiresAt} <= ${now.toISOString()}::timestamptz)
      OR (${vpnUsers.trafficLimitBytes} IS NOT NULL AND ${vpnUsers.uploadBytes} + ${vpnUsers.downloadBytes} >= ${vpnUsers.trafficLimitBytes}))`;
  const candidates = await deps.db
    .select({ id: vpnUsers.id })
    .from(vpnUsers)
    .where(and(options.userIds ? inArray(vpnUsers.id, options.userIds) : undefined, due))
    .limit(BATCH);

  const suspended: string[] = [];
  for (const { id } of candidates) {
    const isSuspended = await deps.db.transaction(async (tx) => {
      const [user] = await tx.select().from(vpnUsers).where(and(eq(vpnUsers.id, id), isNull(vpnUsers.suspension))).for("update");
      const suspension = user ? suspensionOf(user, now) : null;
      if (!user || !suspension) return false;
      const [after] = await tx.update(vpnUsers).set({ suspension, suspendedAt: now, updatedAt: now }).where(eq(vpnUsers.id, id)).returning();
      await notifyUserEvent(tx, deps.notifications, SUSPENSION_EVENT[suspension], after ?? user, now);
      return true;
    });
    if (isSuspended) suspended.push(id);
  }
  report.suspended = suspended.length;

  const queue = [...suspended];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        const sync = await syncUserClients(deps, id);
        report.clientsUpdated += sync.updated + sync.retired;
        report.deferred += sync.deferred;
      } catch (error) {
        logger.warn("could not switch a suspended user's clients off; the reconciler will", { userId: id, error });
        report.deferred++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SYNC_CONCURRENCY, queue.length) }, worker));
  return report;
}

/** user.expiring for every active user whose expiry is within USER_EXPIRING_DAYS and not announced yet. */
export async function notifyExpiringUsers(deps: PlanDeps): Promise<number> {
  if (deps.expiringDays <= 0) return 0;
  const now = deps.clock.now();
  const horizon = new Date(now.getTime() + deps.expiringDays * DAY_MS);
  return deps.db.transaction(async (tx) => {
    const due = tx
      .select({ id: vpnUsers.id })
      .from(vpnUsers)
      .where(
        and(
          isNull(vpnUsers.suspension),
          eq(vpnUsers.status, "active"),
          isNotNull(vpnUsers.expiresAt),
          gt(vpnUsers.expiresAt, now),
          lte(vpnUsers.expiresAt, horizon),
          sql`${vpnUsers.expiringNotifiedFor} IS DISTINCT FROM ${vpnUsers.expiresAt}`,
        ),
      )
      .limit(BATCH);
    const announced = await tx
      .update(vpnUsers)
      .set({ expiringNotifiedFor: sql`${vpnUsers.expiresAt}` })
      .where(and(inArray(vpnUsers.id, due), sql`${vpnUsers.expiringNotifiedFor} IS DISTINCT FROM ${vpnUsers.expiresAt}`))
      .returning();
    for (const user of announced) await notifyUserEvent(tx, deps.notifications, "user.expiring", user, now);
    return announced.length;
  });
}
