/**
 * The standby pass, one cron step right after the health sweep; safe to run concurrently with
 * itself (every change is taken under the user's lock and re-checked there):
 *
 * 1. Promotion — a user whose key's node is declared down (`unhealthy`) and whose standby's node
 *    serves: in one transaction the old key leaves (`revoking`, its place released; its client is
 *    deleted when the node answers again), the standby becomes the key (a user place on its node
 *    taken, the standby place given back) and key.moved is queued. The link the user's app already
 *    falls back to is now their key: nothing changes on the device, and the failover that comes
 *    after the grace period finds nobody left to move. Without a user place on the standby's node
 *    the user is left to the ordinary failover.
 * 2. Standbys whose node is unhealthy, draining or disabled are retired (drain and failure move
 *    standbys this way); all of them when STANDBY_ENABLED is off.
 * 3. Users with an active key and no standby get one (place-standby.ts): first those promoted or
 *    whose standby was just retired in this pass, then those a sweep finds — a bounded slice of the
 *    keys per pass (SWEEP_CHUNK, in user-id order, going on from where the last pass of this process
 *    stopped), so the pass's cost does not grow with the fleet. New keys get theirs right after the
 *    key's answer (standby-after-key.ts); the sweep catches what that missed (no room then, a burst,
 *    a restart).
 * 4. The standby load is evened out (even-out-standbys.ts): a node that joined later, or came back,
 *    takes standbys from the fullest.
 *
 * Each part handles at most `batchSize` users per pass and stops when the step's budget is spent.
 */
import { and, asc, eq, gt, inArray, lte, ne, not, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { assignments, nodes, vpnUsers, type Assignment } from "@/server/db/schema";
import { logger } from "@/server/logger";
import type { CronStep, CronStepContext } from "@/server/services/cron/run-cron";
import { releaseReservation, reserveAnyRoom } from "@/server/services/keys/capacity";
import { subscriptionUrlFor } from "@/server/services/keys/find-user-key";
import { lockUser, settleDeadline } from "@/server/services/keys/placement";
import { retireAssignment } from "@/server/services/keys/retire-assignment";
import type { MigrationDeps } from "@/server/services/migration/migration-deps";
import { enqueueNotification } from "@/server/services/notifications/enqueue-notification";
import { evenOutStandbys } from "./even-out-standbys";
import { placeStandby } from "./place-standby";
import { retireStandby, type RetirableStandby } from "./retire-standby";

/** Where the sweep for users without a standby goes on from: the last user id it checked, null = from the start. */
export type StandbySweep = { after: string | null };

/** Keys the sweep checks per pass: 2,000 cost about 9 ms at 200,000 users (bench:standby (c)); a full round at that size takes 100 passes. */
export const SWEEP_CHUNK = 2_000;

export type StandbyPassDeps = MigrationDeps & {
  standby: { enabled: boolean; batchSize: number; keepMovedMs: number; sweep?: StandbySweep; sweepChunk?: number };
};

export type StandbyPassReport = { promoted: number; retired: number; placed: number; unplaced: number; failed: number; evened: number };

const primaries = alias(assignments, "primary_assignment");
const primaryNodes = alias(nodes, "primary_node");
const standbyNodes = alias(nodes, "standby_node");

const SERVING = sql`(${standbyNodes.healthState} IN ('healthy', 'degraded') AND ${standbyNodes.adminState} = 'active')`;

/** Users to promote: key active on an unhealthy node, standby active on a node that serves. */
async function promotable(deps: StandbyPassDeps, limit: number) {
  return deps.db
    .select({ telegramId: vpnUsers.telegramId, primaryId: primaries.id, standbyId: assignments.id })
    .from(assignments)
    .innerJoin(vpnUsers, eq(vpnUsers.id, assignments.userId))
    .innerJoin(standbyNodes, eq(standbyNodes.id, assignments.nodeId))
    .innerJoin(primaries, and(eq(primaries.userId, assignments.userId), eq(primaries.role, "primary"), eq(primaries.state, "active")))
    .innerJoin(primaryNodes, eq(primaryNodes.id, primaries.nodeId))
    .where(and(eq(assignments.role, "standby"), eq(assignments.state, "active"), eq(primaryNodes.healthState, "unhealthy"), SERVING))
    .limit(limit);
}

async function promote(deps: StandbyPassDeps, candidate: { telegramId: number; primaryId: string; standbyId: string }): Promise<Assignment | null> {
  return deps.db.transaction(async (tx) => {
    await lockUser(tx, candidate.telegramId);
    const rows = await tx
      .select({ assignment: assignments, node: nodes, user: { telegramId: vpnUsers.telegramId, username: vpnUsers.username, subscriptionToken: vpnUsers.subscriptionToken } })
      .from(assignments)
      .innerJoin(nodes, eq(nodes.id, assignments.nodeId))
      .innerJoin(vpnUsers, eq(vpnUsers.id, assignments.userId))
      .where(and(eq(vpnUsers.telegramId, candidate.telegramId), inArray(assignments.state, ["pending", "active"])));
    const old = rows.find((r) => r.assignment.id === candidate.primaryId);
    const standby = rows.find((r) => r.assignment.id === candidate.standbyId);
    // Re-checked under the lock: a move, refresh or revoke may have got there first, or be under way.
    if (rows.some((r) => r.assignment.state === "pending" && r.assignment.role === "primary")) return null;
    if (old?.assignment.state !== "active" || standby?.assignment.state !== "active" || !standby.assignment.shareLink) return null;
    if (old.node.healthState !== "unhealthy" || standby.node.adminState !== "active" || standby.node.healthState === "unhealthy") return null;
    if (!(await reserveAnyRoom(tx, standby.node.id))) return null;
    await releaseReservation(tx, standby.node.id, "standby");
    // The old key leaves `active` first: one active key per user and role (a partial unique index).
    const [retired] = await tx
      .update(assignments)
      .set({ state: "revoking", settleBy: settleDeadline(deps), updatedAt: sql`now()` })
      .where(eq(assignments.id, old.assignment.id))
      .returning();
    await releaseReservation(tx, old.node.id);
    await tx.update(assignments).set({ role: "primary", updatedAt: sql`now()` }).where(eq(assignments.id, standby.assignment.id));
    await enqueueNotification(tx, deps.notifications, {
      event: "key.moved",
      data: {
        telegramId: standby.user.telegramId,
        username: standby.user.username,
        key: standby.assignment.shareLink,
        subscriptionUrl: subscriptionUrlFor(deps.publicUrl, standby.user.subscriptionToken),
        reason: "failover",
        from: { id: old.node.id, name: old.node.name, location: old.node.location },
        to: { id: standby.node.id, name: standby.node.name, location: standby.node.location },
      },
    });
    return retired ?? null;
  });
}

/** Standbys to give up: on a node that no longer serves, or all of them when standbys are off. */
async function retirable(deps: StandbyPassDeps, limit: number): Promise<RetirableStandby[]> {
  return deps.db
    .select({ id: assignments.id, userId: assignments.userId, nodeId: assignments.nodeId, inboundId: assignments.inboundId, clientEmail: assignments.clientEmail })
    .from(assignments)
    .innerJoin(standbyNodes, eq(standbyNodes.id, assignments.nodeId))
    .where(and(eq(assignments.role, "standby"), eq(assignments.state, "active"), deps.standby.enabled ? not(SERVING) : undefined))
    .limit(limit);
}

/**
 * The next slice of keys in user-id order after `sweep.after`, and among them the users whose key
 * is active on a node that is not down, who are active and hold no live standby. Moves the sweep on
 * (back to the start after the last key).
 */
async function withoutStandby(deps: StandbyPassDeps, sweep: StandbySweep): Promise<string[]> {
  const chunk = deps.standby.sweepChunk ?? SWEEP_CHUNK;
  const slice = await deps.db
    .select({ userId: assignments.userId })
    .from(assignments)
    .where(and(eq(assignments.role, "primary"), eq(assignments.state, "active"), sweep.after ? gt(assignments.userId, sweep.after) : undefined))
    .orderBy(asc(assignments.userId))
    .limit(chunk);
  const from = sweep.after;
  const last = slice.at(-1)?.userId;
  sweep.after = slice.length < chunk ? null : (last ?? null);
  if (!last) return [];
  // One probe per state, so each is an index lookup in its partial unique index (an IN over both states is a hash of every standby).
  const standbyIn = (state: string) => sql`NOT EXISTS (SELECT 1 FROM ${assignments} s WHERE s.user_id = ${assignments.userId} AND s.role = 'standby' AND s.state = ${sql.raw(`'${state}'`)})`;
  const rows = await deps.db
    .select({ userId: assignments.userId })
    .from(assignments)
    .innerJoin(vpnUsers, eq(vpnUsers.id, assignments.userId))
    .innerJoin(primaryNodes, eq(primaryNodes.id, assignments.nodeId))
    .where(
      and(
        eq(assignments.role, "primary"),
        eq(assignments.state, "active"),
        from ? gt(assignments.userId, from) : undefined,
        lte(assignments.userId, last),
        eq(vpnUsers.status, "active"),
        ne(primaryNodes.healthState, "unhealthy"),
        standbyIn("active"),
        standbyIn("pending"),
      ),
    )
    .orderBy(asc(assignments.userId));
  return rows.map((r) => r.userId);
}

export async function runStandbyPass(deps: StandbyPassDeps, budgetMs: number): Promise<StandbyPassReport> {
  const deadline = deps.clock.now().getTime() + budgetMs;
  const hasTime = () => deps.clock.now().getTime() < deadline;
  const report: StandbyPassReport = { promoted: 0, retired: 0, placed: 0, unplaced: 0, failed: 0, evened: 0 };
  const limit = deps.standby.batchSize;

  // Users who lost their standby in this pass get a new one in this pass.
  const needing = new Set<string>();
  // Promotion runs even with standbys switched off: the ones still in place are what users fall back to.
  for (const candidate of await promotable(deps, limit)) {
    if (!hasTime()) return report;
    const retiredKey = await promote(deps, candidate);
    if (!retiredKey) continue;
    report.promoted++;
    needing.add(retiredKey.userId);
    // Its node is down: this only records that the retirement is left for later.
    await retireAssignment(deps, retiredKey);
  }
  for (const standby of await retirable(deps, limit)) {
    if (!hasTime()) return report;
    if (!(await retireStandby(deps, standby))) continue;
    report.retired++;
    needing.add(standby.userId);
  }
  if (!deps.standby.enabled) return report;
  for (const userId of await withoutStandby(deps, deps.standby.sweep ?? { after: null })) needing.add(userId);
  for (const userId of [...needing].slice(0, limit)) {
    if (!hasTime()) return report;
    try {
      const outcome = await placeStandby(deps, userId);
      if (outcome === "placed") report.placed++;
      else if (outcome === "no-room") report.unplaced++;
      else if (outcome === "failed") report.failed++;
    } catch (error) {
      logger.warn("standby placement failed", { userId, error });
      report.failed++;
    }
  }
  if (hasTime()) report.evened = await evenOutStandbys(deps, { limit, keepMovedMs: deps.standby.keepMovedMs, hasTime });
  return report;
}

/** The pass's place in a cron run, right after the health sweep: a node it declared down gets its users promoted in the same run. */
export function standbyCronStep(depsFor: (context: CronStepContext) => StandbyPassDeps): CronStep {
  // Whatever a later step reserves comes off the health sweep's budget, which starts no check with
  // less than a panel timeout (+1 s) left: promotion is a few statements per user, half a second does.
  return { name: "standby", reserveMs: 500, run: (context) => runStandbyPass(depsFor(context), context.budgetMs) };
}
