/**
 * The overview's KPI cards and the "is anybody pinging the health route?" check, in three small
 * aggregate queries run together: one pass over `nodes`, index range scans for today's keys and
 * moves, and the newest cron run.
 */
import { and, count, desc, eq, gte, inArray, max, sql } from "drizzle-orm";
import { assignments, cronRuns, nodes, operationItems, operations, vpnUsers } from "@/server/db/schema";
import { startOfUtcDay } from "./time-range";
import { MOVE_OPERATION_KINDS, MOVE_STRATEGIES, OPERATION_LOOKBACK_MS, type StatsDeps } from "./stats-deps";

/** A sweep that has not run for this many intervals means nothing is driving the cron route. */
export const STALE_SWEEP_INTERVALS = 3;

export type FleetOverview = {
  nodes: {
    total: number;
    /** Health of enabled nodes; disabled nodes are not checked, so their health is not counted. */
    healthy: number;
    degraded: number;
    unhealthy: number;
    authError: number;
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
    /** True when enabled nodes exist and no sweep ran for STALE_SWEEP_INTERVALS × the interval. */
    isStale: boolean;
  };
};

const enabled = sql`${nodes.adminState} <> 'disabled'`;
const countWhere = (condition: ReturnType<typeof sql>) => sql<number>`count(*) filter (where ${condition})`.mapWith(Number);

export async function getFleetOverview(deps: StatsDeps): Promise<FleetOverview> {
  const now = deps.clock.now();
  const today = startOfUtcDay(now);
  const [nodeRows, userRows, keyRows, moveRows, cronRows] = await Promise.all([
    deps.db
      .select({
        total: count(),
        healthy: countWhere(sql`${enabled} and ${nodes.healthState} = 'healthy'`),
        degraded: countWhere(sql`${enabled} and ${nodes.healthState} = 'degraded'`),
        unhealthy: countWhere(sql`${enabled} and ${nodes.healthState} = 'unhealthy'`),
        authError: countWhere(sql`${enabled} and ${nodes.healthState} = 'auth_error'`),
        unknown: countWhere(sql`${enabled} and ${nodes.healthState} = 'unknown'`),
        draining: countWhere(sql`${nodes.adminState} = 'draining'`),
        disabled: countWhere(sql`${nodes.adminState} = 'disabled'`),
        used: sql<number>`coalesce(sum(${nodes.reservedCount}), 0)`.mapWith(Number),
        capacity: sql<number>`coalesce(sum(${nodes.maxUsers}) filter (where ${enabled}), 0)`.mapWith(Number),
        lastCheckAt: max(nodes.lastCheckAt),
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
    deps.db.select({ startedAt: cronRuns.startedAt }).from(cronRuns).orderBy(desc(cronRuns.startedAt)).limit(1),
  ]);
  const n = nodeRows[0]!;
  const lastAt = latest(cronRows[0]?.startedAt ?? null, n.lastCheckAt);
  const staleAfterMs = STALE_SWEEP_INTERVALS * deps.healthIntervalSeconds * 1000;
  const hasEnabledNodes = n.total - n.disabled > 0;
  return {
    nodes: {
      total: n.total,
      healthy: n.healthy,
      degraded: n.degraded,
      unhealthy: n.unhealthy,
      authError: n.authError,
      unknown: n.unknown,
      draining: n.draining,
      disabled: n.disabled,
    },
    users: { total: userRows[0]?.n ?? 0, withKey: n.used },
    capacity: { used: n.used, total: n.capacity },
    keysIssuedToday: keyRows[0]?.n ?? 0,
    movesToday: moveRows[0]?.n ?? 0,
    sweep: {
      lastAt,
      intervalSeconds: deps.healthIntervalSeconds,
      isStale: hasEnabledNodes && (lastAt === null || now.getTime() - lastAt.getTime() > staleAfterMs),
    },
  };
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}
