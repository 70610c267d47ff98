/**
 * The fleet as the database has it, for the gauges of GET /api/metrics: every node's health,
 * admin state, users and capacity, the outbox backlog, operations by outcome, the last sweep and
 * whether failover is held. Read at scrape time, so every replica reports the same values. A few
 * aggregate statements run together: one pass over `nodes` joined to a per-node count of live
 * assignments (an index-only scan), and index lookups for the rest.
 */
import { and, count, eq, inArray, max, min, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { assignments, events, LIVE_ASSIGNMENT_STATES, nodes, operations, webhookDeliveries, type Node } from "@/server/db/schema";
import type { Clock } from "../clock";
import { countDown, isHoldActive } from "../health/blast-radius";
import { getLastSweep } from "../health/health-history";
import { getSettings, type Settings } from "../settings/settings";

export type FleetStateDeps = { db: Database; clock: Clock; settingsDefaults: Settings };

export type NodeState = Pick<Node, "id" | "name" | "location" | "healthState" | "adminState" | "maxUsers" | "reservedCount" | "lastCheckAt" | "panelVersion" | "failoverHoldReleasedAt"> & {
  /** Live (pending or active) assignments on the node. */
  users: number;
};

export type FleetState = {
  nodes: NodeState[];
  operations: { kind: string; status: string; count: number }[];
  deliveries: { channel: string; status: "pending" | "failed"; count: number; oldestAt: Date | null }[];
  lastSweepAt: Date | null;
  healthIntervalSeconds: number;
  lastHoldAt: Date | null;
  /** Automatic failover would hold now: a recent `failover.held` alert, or too many nodes down. */
  isFailoverHeld: boolean;
};

export async function readFleetState(deps: FleetStateDeps): Promise<FleetState> {
  const { db } = deps;
  const now = deps.clock.now();
  const { health } = await getSettings(db, deps.settingsDefaults);
  const live = db
    .select({ nodeId: assignments.nodeId, users: count().as("users") })
    .from(assignments)
    .where(and(inArray(assignments.state, [...LIVE_ASSIGNMENT_STATES]), eq(assignments.role, "primary")))
    .groupBy(assignments.nodeId)
    .as("live");
  const [nodeRows, operationRows, deliveryRows, lastSweep, [hold]] = await Promise.all([
    db
      .select({
        id: nodes.id,
        name: nodes.name,
        location: nodes.location,
        healthState: nodes.healthState,
        adminState: nodes.adminState,
        maxUsers: nodes.maxUsers,
        reservedCount: nodes.reservedCount,
        lastCheckAt: nodes.lastCheckAt,
        panelVersion: nodes.panelVersion,
        failoverHoldReleasedAt: nodes.failoverHoldReleasedAt,
        users: sql<number>`coalesce(${live.users}, 0)`.mapWith(Number),
      })
      .from(nodes)
      .leftJoin(live, eq(live.nodeId, nodes.id))
      .orderBy(nodes.name),
    db.select({ kind: operations.kind, status: operations.status, count: count() }).from(operations).groupBy(operations.kind, operations.status),
    db
      .select({ channel: webhookDeliveries.channel, status: webhookDeliveries.status, count: count(), oldestAt: min(webhookDeliveries.createdAt) })
      .from(webhookDeliveries)
      .where(inArray(webhookDeliveries.status, ["pending", "failed"]))
      .groupBy(webhookDeliveries.channel, webhookDeliveries.status),
    getLastSweep(db, { now, intervalSeconds: health.intervalSeconds }),
    db.select({ at: max(events.createdAt) }).from(events).where(eq(events.kind, "failover.held")),
  ]);
  const lastHoldAt = hold?.at ?? null;
  return {
    nodes: nodeRows,
    operations: operationRows,
    deliveries: deliveryRows.map((d) => ({ ...d, status: d.status as "pending" | "failed" })),
    lastSweepAt: lastSweep.startedAt,
    healthIntervalSeconds: health.intervalSeconds,
    lastHoldAt,
    isFailoverHeld: isHoldActive(lastHoldAt && { createdAt: lastHoldAt }, now) || countDown(nodeRows).isOverLimit,
  };
}
