/**
 * The overview's KPI cards and the "is anybody pinging the health route?" check, in small
 * aggregate queries run together: one pass over `nodes`, index range scans for today's keys and
 * moves, and the newest cron run (health-history's getLastSweep, so both agree on "overdue").
 */
import { and, count, eq, gte, inArray, sql } from "drizzle-orm";
import { assignments, nodes, operationItems, operations, vpnUsers } from "@/server/db/schema";
import { getLastSweep } from "../health/health-history";
import { startOfUtcDay } from "./time-range";
import { MOVE_OPERATION_KINDS, MOVE_STRATEGIES, OPERATION_LOOKBACK_MS, type StatsDeps } from "./stats-deps";

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

export async function getFleetOverview(deps: StatsDeps): Promise<FleetOverview> {
  const now = deps.clock.now();
  const today = startOfUtcDay(now);
  const [nodeRows, userRows, keyRows, moveRows, lastSweep] = await Promise.all([
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
    deps.db.select({ n: count() }).from(vpnUsers),
    deps.db
      .select({ n: count() })
      .from(assignments)
      .where(
        and(
          gte(assignments.createdAt, today),
          sql`coalesce(${assignments.placementReason}->>'strategy', '') not in (${sql.join(
            MOVE_STRATEGIES.map((s) => sql`${s}`),
            sql`, `,
          )})`,
        ),
      ),
    deps.db
      .select({ n: count() })
      .from(operationItems)
      .innerJoin(operations, eq(operations.id, operationItems.operationId))
      .where(
        and(
          gte(operations.createdAt, new Date(today.getTime() - OPERATION_LOOKBACK_MS)),
          inArray(operations.kind, [...MOVE_OPERATION_KINDS]),
          eq(operationItems.status, "succeeded"),
          gte(operationItems.updatedAt, today),
        ),
      ),
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
    users: { total: userRows[0]?.n ?? 0, withKey: n.used },
    capacity: { used: n.used, total: n.capacity },
    keysIssuedToday: keyRows[0]?.n ?? 0,
    movesToday: moveRows[0]?.n ?? 0,
    sweep: { lastAt: lastSweep.startedAt, intervalSeconds: deps.healthIntervalSeconds, isStale: lastSweep.isOverdue },
  };
}
