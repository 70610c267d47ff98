/**
 * Evens out the standby load (STANDBY_ENABLED), a batch per standby pass: while the fullest node
 * that takes standbys is more than EVEN_OUT_GAP (of its standby places) fuller than the emptiest,
 * one standby moves from the first to the second — a node added later, or one back from a drain,
 * gets its share instead of only the standbys of users placed from then on.
 *
 * A move is a standby rotation with the key's steps (keys/placement.ts): a pending standby on the
 * target replacing the old one, the panel call under the target's writer, and one activation that
 * makes the old one `revoking` and gives its place back. The old client is not deleted at once:
 * an app keeps the standby link of the last subscription it fetched, so the old client stays on its
 * panel for `keepMovedMs` (its retirement's `settle_by`, after which whoever settles stale
 * retirements deletes it) — the user's fallback works throughout.
 */
import { and, desc, eq, ne, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { assignments, nodes, vpnUsers } from "@/server/db/schema";
import { isAppError } from "@/server/errors";
import { logger } from "@/server/logger";
import { rankStandbyFleet, readNodeLoads } from "@/server/services/balancer/rank-fleet";
import { clientPlanFor, PLAN_ROW_COLUMNS } from "@/server/services/keys/client-plan";
import type { KeyDeps } from "@/server/services/keys/key-deps";
import { runAttempts } from "@/server/services/keys/place-key";
import { insertPending, isUniqueViolation, lockUser, type Placement } from "@/server/services/keys/placement";
import { retireAssignment } from "@/server/services/keys/retire-assignment";
import { systemClock } from "@/server/services/clock";

/** How much fuller (0..1 of standby places) the fullest node must be than the emptiest before a standby moves. */
export const EVEN_OUT_GAP = 0.1;

type Load = { id: string; name: string; count: number; max: number };

const share = (n: Load) => n.count / n.max;

/** Nodes that take standbys now, with their standby counts. */
async function standbyLoads(deps: KeyDeps): Promise<Load[]> {
  const loads = await readNodeLoads(deps.db, "standby");
  return loads
    .filter((n) => n.adminState === "active" && n.healthState === "healthy" && !n.needsReconcile && n.ejectedForMs === 0 && n.maxUsers > 0)
    .map((n) => ({ id: n.id, name: n.name, count: n.reservedCount, max: n.maxUsers }));
}

const primaries = alias(assignments, "primary_assignment");

/** A standby on `from` whose user's key is not on `to`, newest first (the least settled). */
async function movableStandby(deps: KeyDeps, from: string, to: string, skip: ReadonlySet<string>) {
  const rows = await deps.db
    .select({ id: assignments.id, userId: assignments.userId, primaryNodeId: primaries.nodeId, location: nodes.location })
    .from(assignments)
    .innerJoin(primaries, and(eq(primaries.userId, assignments.userId), eq(primaries.role, "primary"), eq(primaries.state, "active")))
    .innerJoin(nodes, eq(nodes.id, primaries.nodeId))
    .where(and(eq(assignments.nodeId, from), eq(assignments.role, "standby"), eq(assignments.state, "active"), ne(primaries.nodeId, to)))
    .orderBy(desc(assignments.activatedAt))
    .limit(skip.size + 1);
  return rows.find((r) => !skip.has(r.id)) ?? null;
}

/** The pending standby on `to` replacing `standbyId`, under the user's lock; null when things changed meanwhile or `to` has no room. */
async function beginMove(deps: KeyDeps, standby: { id: string; userId: string; primaryNodeId: string | null; location: string | null }, from: Load, to: Load): Promise<Placement | null> {
  const claimedAt = Date.now();
  const candidates = (await rankStandbyFleet(deps.db, { nodeId: standby.primaryNodeId ?? "", location: standby.location })).filter((c) => c.nodeId === to.id);
  if (candidates.length === 0) return null;
  return deps.db.transaction(async (tx) => {
    const [user] = await tx
      .select({ id: vpnUsers.id, telegramId: vpnUsers.telegramId, username: vpnUsers.username, subscriptionToken: vpnUsers.subscriptionToken, ...PLAN_ROW_COLUMNS })
      .from(vpnUsers)
      .where(eq(vpnUsers.id, standby.userId));
    if (!user) return null;
    await lockUser(tx, user.telegramId);
    const [current] = await tx.select().from(assignments).where(eq(assignments.id, standby.id));
    if (current?.state !== "active" || current.role !== "standby" || current.nodeId !== from.id) return null;
    return insertPending(deps, tx, {
      user,
      plan: clientPlanFor(user, 0, (deps.clock ?? systemClock).now()),
      candidates,
      replaces: current,
      role: "standby",
      skipNodeId: from.id,
      reason: { strategy: "rebalance", note: `standby moved from ${from.name} to even out the standby load` },
      claimedAt,
    });
  });
}

async function moveStandby(deps: KeyDeps, keepMovedMs: number, standby: Parameters<typeof beginMove>[1], from: Load, to: Load): Promise<boolean> {
  let placement: Placement | null;
  try {
    placement = await beginMove(deps, standby, from, to);
  } catch (error) {
    // The user's standby is being placed by someone else right now: leave this one.
    if (isUniqueViolation(error, "assignments_one_pending_per_user")) return false;
    throw error;
  }
  if (!placement) return false;
  let result: Awaited<ReturnType<typeof runAttempts>>;
  try {
    result = await runAttempts(deps, placement);
  } catch (error) {
    // The target failed (the pending row is failed, the old standby stays) or its outcome is unknown (settled later).
    if (isAppError(error)) return false;
    throw error;
  }
  if (!result) return false;
  const old = placement.replaces;
  if (!old) return true;
  if (keepMovedMs <= 0) {
    await retireAssignment(deps, old);
    return true;
  }
  await deps.db
    .update(assignments)
    .set({ settleBy: sql`now() + make_interval(secs => ${keepMovedMs / 1000})`, updatedAt: sql`now()` })
    .where(and(eq(assignments.id, old.id), eq(assignments.state, "revoking")));
  return true;
}

/** Moves up to `limit` standbys from the fullest nodes to the emptiest; returns how many moved. */
export async function evenOutStandbys(deps: KeyDeps, options: { limit: number; keepMovedMs: number; hasTime: () => boolean }): Promise<number> {
  const loads = await standbyLoads(deps);
  const skip = new Set<string>();
  let moved = 0;
  for (let attempt = 0; attempt < options.limit && options.hasTime(); attempt++) {
    const byShare = [...loads].sort((a, b) => share(a) - share(b));
    const from = byShare.at(-1);
    if (!from) break;
    // Emptier enough, with room, and never past even: the move leaves the target no fuller than the source.
    const targets = byShare.filter((n) => n !== from && n.count < n.max && share(from) - share(n) > EVEN_OUT_GAP && (n.count + 1) / n.max <= (from.count - 1) / from.max);
    if (targets.length === 0) break;
    let found: { standby: NonNullable<Awaited<ReturnType<typeof movableStandby>>>; to: Load } | null = null;
    for (const to of targets) {
      const standby = await movableStandby(deps, from.id, to.id, skip);
      if (standby) {
        found = { standby, to };
        break;
      }
    }
    if (!found) {
      // Every standby left there belongs to a user whose key is on each emptier node: that node gives no more.
      loads.splice(loads.indexOf(from), 1);
      continue;
    }
    const { standby, to } = found;
    skip.add(standby.id);
    try {
      if (!(await moveStandby(deps, options.keepMovedMs, standby, from, to))) continue;
    } catch (error) {
      logger.warn("a standby could not be moved to even out the load", { assignmentId: standby.id, error });
      continue;
    }
    from.count--;
    to.count++;
    moved++;
  }
  return moved;
}
