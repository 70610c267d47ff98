/**
 * The blast-radius guard (invariant 5): when many nodes fail at once, the likely culprit is this
 * server's own network, so nothing is marked unhealthy and nothing migrates until an owner looks.
 *
 * Only nodes that were serving count — `active` and `healthy` or `degraded` before the check, or
 * `unhealthy` since (they served, then died). A node never verified (`unknown`), one whose inbound
 * is misconfigured, one whose credentials are refused (`auth_error`), a draining or a disabled
 * node tells nothing about our network: counting them let four broken nodes hold failover for a
 * whole fleet. A node whose hold an owner released (`failover_hold_released_at`) counts neither:
 * its failures are accepted as real.
 *
 * A hold lasts HOLD_WINDOW_MS after the last `failover.held` alert; the alert is repeated every
 * HOLD_ALERT_REPEAT_MS while the cause persists, so it stays in front of people until resolved.
 */
import { desc, eq } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { events, type Node, type SystemEvent } from "@/server/db/schema";

/** A `failover.held` alert younger than this keeps automatic failover off. */
export const HOLD_WINDOW_MS = 15 * 60_000;
/** While the cause persists, the alert is raised again this often (inside the hold window, so the hold never lapses meanwhile). */
export const HOLD_ALERT_REPEAT_MS = 10 * 60_000;

export function blastRadiusLimit(fleetSize: number): number {
  return Math.max(3, 0.2 * fleetSize);
}

type GuardedNode = Pick<Node, "adminState" | "healthState" | "failoverHoldReleasedAt">;

/** Before a sweep: a failure of this node is evidence about our network. */
export function isServing(node: GuardedNode): boolean {
  return node.adminState === "active" && (node.healthState === "healthy" || node.healthState === "degraded") && node.failoverHoldReleasedAt === null;
}

/** Between sweeps: how many of the nodes that served are down now, against the limit. */
export function countDown(fleet: GuardedNode[]): { down: number; fleetSize: number; limit: number; isOverLimit: boolean } {
  const counted = fleet.filter((n) => n.adminState === "active" && n.failoverHoldReleasedAt === null && ["healthy", "degraded", "unhealthy"].includes(n.healthState));
  const down = counted.filter((n) => n.healthState === "unhealthy").length;
  const limit = blastRadiusLimit(counted.length);
  return { down, fleetSize: counted.length, limit, isOverLimit: down > limit };
}

/** The newest `failover.held` alert, if any. */
export async function latestHoldEvent(db: Database): Promise<SystemEvent | null> {
  const [latest] = await db.select().from(events).where(eq(events.kind, "failover.held")).orderBy(desc(events.createdAt)).limit(1);
  return latest ?? null;
}

export function isHoldActive(latest: Pick<SystemEvent, "createdAt"> | null, now: Date): boolean {
  return latest !== null && now.getTime() - latest.createdAt.getTime() < HOLD_WINDOW_MS;
}

export function isHoldAlertDue(latest: Pick<SystemEvent, "createdAt"> | null, now: Date): boolean {
  return latest === null || now.getTime() - latest.createdAt.getTime() >= HOLD_ALERT_REPEAT_MS;
}
