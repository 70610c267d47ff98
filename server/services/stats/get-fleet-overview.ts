/**
 * The overview's KPI cards and the "is anybody pinging the health route?" check, in small
 * aggregate queries run together: one pass over `nodes`, the trigger-kept counts of users and of
 * today's keys and moves, and the newest cron run (health-history's getLastSweep, so both agree on
 * "overdue").
 */
import { count, sql } from "drizzle-orm";
import { nodes } from "@/server/db/schema";
import { getLastSweep } from "../health/health-history";
import { countAllTime, countPerDay, MOVE_METRICS } from "./daily-counts";
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
const sumOf = (rows: { n: number }[]) => rows.reduce((sum, row) => sum + row.n, 0);

/** The overview alone needs the sweep interval (Settings, falling back to HEALTH_INTERVAL_SECONDS): a settings read the other charts skip. */
export type OverviewDeps = StatsDeps & { healthIntervalSeconds: number };

export async function getFleetOverview(deps: OverviewDeps): Promise<FleetOverview> {
  const now = deps.clock.now();
  const today = startOfUtcDay(now).toISOString().slice(0, 10);
  const [nodeRows, usersTotal, countsToday, lastSweep] = await Promise.all([
    deps.db
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
      })
      .from(nodes),
    countAllTime(deps.db, "users"),
    countPerDay(deps.db, ["keys", ...MOVE_METRICS], today),
    getLastSweep(deps.db, { now, intervalSeconds: deps.healthIntervalSeconds }),
  ]);
  const n = nodeRows[0]!;
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
    users: { total: usersTotal, withKey: n.used },
    capacity: { used: n.used, total: n.capacity },
    keysIssuedToday: sumOf(countsToday.filter((row) => row.metric === "keys")),
    movesToday: sumOf(countsToday.filter((row) => row.metric !== "keys")),
    sweep: { lastAt: lastSweep.startedAt, intervalSeconds: deps.healthIntervalSeconds, isStale: lastSweep.isOverdue },
  };
}
