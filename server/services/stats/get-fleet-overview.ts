/**
 * The overview's KPI cards and the "is anybody pinging the health route?" check, in one statement:
 * a pass over `nodes` with the trigger-kept counts of users and of today's keys and moves and the
 * newest cron run's start as scalar subqueries (health-history's rule decides "overdue", as for
 * the health route). One round trip instead of four: at fleet scale each costs well under a
 * millisecond in the database, so the overview's time was the trips and their overhead.
 */
import { count, sql } from "drizzle-orm";
import { nodes } from "@/server/db/schema";
import { isSweepOverdue, lastSweepStartSql } from "../health/health-history";
import { MOVE_METRICS, sumSql } from "./daily-counts";
import { startOfUtcDay } from "./time-range";
import type { StatsDeps } from "./stats-deps";

export type FleetOverview = {
  nodes: {
    total: number;
    /** Health of enabled nodes; disabled nodes are not checked, so their health is not counted. */
    healthy: number;
    degraded: number;
    unhealthy: number;
    authError: number;
    misconfigured: number;
    unknown: number;
    draining: number;
    disabled: number;
  };
  users: { total: number; withKey: number };
  capacity: { used: number; total: number };
  keysIssuedToday: number;
  movesToday: number;
  sweep: {
    lastAt: Date | null;
    intervalSeconds: number;
    /** No sweep started within 3× the interval: nothing is driving the cron route. */
    isStale: boolean;
  };
};

const enabled = sql`${nodes.adminState} <> 'disabled'`;
const countWhere = (condition: ReturnType<typeof sql>) => sql<number>`count(*) filter (where ${condition})`.mapWith(Number);

/** The overview alone needs the sweep interval (Settings, falling back to HEALTH_INTERVAL_SECONDS): a settings read the other charts skip. */
export type OverviewDeps = StatsDeps & { healthIntervalSeconds: number };

export async function getFleetOverview(deps: OverviewDeps): Promise<FleetOverview> {
  const now = deps.clock.now();
  const today = startOfUtcDay(now).toISOString().slice(0, 10);
  const [n] = await deps.db
    .select({
      total: count(),
      healthy: countWhere(sql`${enabled} and ${nodes.healthState} = 'healthy'`),
      degraded: countWhere(sql`${enabled} and ${nodes.healthState} = 'degraded'`),
      unhealthy: countWhere(sql`${enabled} and ${nodes.healthState} = 'unhealthy'`),
      authError: countWhere(sql`${enabled} and ${nodes.healthState} = 'auth_error'`),
      misconfigured: countWhere(sql`${enabled} and ${nodes.healthState} = 'misconfigured'`),
      unknown: countWhere(sql`${enabled} and ${nodes.healthState} = 'unknown'`),
      draining: countWhere(sql`${nodes.adminState} = 'draining'`),
      disabled: countWhere(sql`${nodes.adminState} = 'disabled'`),
      used: sql<number>`coalesce(sum(${nodes.reservedCount}), 0)`.mapWith(Number),
      capacity: sql<number>`coalesce(sum(${nodes.maxUsers}) filter (where ${enabled}), 0)`.mapWith(Number),
      users: sumSql(["users"]),
      keysToday: sumSql(["keys"], today),
      movesToday: sumSql(MOVE_METRICS, today),
      lastSweepAt: lastSweepStartSql,
    })
    .from(nodes);
  if (!n) throw new Error("an aggregate over nodes returned no row");
  return {
    nodes: {
      total: n.total,
      healthy: n.healthy,
      degraded: n.degraded,
      unhealthy: n.unhealthy,
      authError: n.authError,
      misconfigured: n.misconfigured,
      unknown: n.unknown,
      draining: n.draining,
      disabled: n.disabled,
    },
    users: { total: n.users, withKey: n.used },
    capacity: { used: n.used, total: n.capacity },
    keysIssuedToday: n.keysToday,
    movesToday: n.movesToday,
    sweep: { lastAt: n.lastSweepAt, intervalSeconds: deps.healthIntervalSeconds, isStale: isSweepOverdue(n.lastSweepAt, { now, intervalSeconds: deps.healthIntervalSeconds }) },
  };
}
