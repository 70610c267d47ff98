/**
 * Per-day counts for the overview's bar charts, bucketed by UTC day in SQL and padded with zero
 * days here, so the chart always shows the whole window.
 */
import { and, eq, gte, inArray, sql } from "drizzle-orm";
import { assignments, operationItems, operations } from "@/server/db/schema";
import { MOVE_OPERATION_KINDS, MOVE_STRATEGIES, OPERATION_LOOKBACK_MS, type StatsDeps } from "./stats-deps";
import { lastDays } from "./time-range";

const DAILY_WINDOW_DAYS = 30;

export type KeysPerDay = { day: string; keys: number }[];
export type MovesPerDay = { day: string; failover: number; drain: number; rebalance: number; migration: number }[];

// Grouped by the UTC date and formatted afterwards: to_char on every row costs more than the scan.
const dayOf = (column: typeof assignments.createdAt | typeof operationItems.updatedAt) =>
  sql<string>`(${column} at time zone 'UTC')::date`.mapWith((value: unknown) => (value instanceof Date ? value.toISOString() : String(value)).slice(0, 10));

/** Keys issued per day: new assignments, not counting ones created by moving an existing user. */
export async function getKeysPerDay(deps: Pick<StatsDeps, "db" | "clock">, days = DAILY_WINDOW_DAYS): Promise<KeysPerDay> {
  const range = lastDays(days, deps.clock.now());
  const rows = await deps.db
    .select({ day: dayOf(assignments.createdAt), n: sql<number>`count(*)`.mapWith(Number) })
    .from(assignments)
    .where(
      and(
        gte(assignments.createdAt, new Date(`${range[0]}T00:00:00Z`)),
        sql`coalesce(${assignments.placementReason}->>'strategy', '') not in (${sql.join(
          MOVE_STRATEGIES.map((s) => sql`${s}`),
          sql`, `,
        )})`,
      ),
    )
    .groupBy(sql`1`);
  const byDay = new Map(rows.map((r) => [r.day, r.n]));
  return range.map((day) => ({ day, keys: byDay.get(day) ?? 0 }));
}

/** Users moved per day, by what moved them (stacked in the chart). */
export async function getMovesPerDay(deps: Pick<StatsDeps, "db" | "clock">, days = DAILY_WINDOW_DAYS): Promise<MovesPerDay> {
  const range = lastDays(days, deps.clock.now());
  const start = new Date(`${range[0]}T00:00:00Z`);
  const rows = await deps.db
    .select({ day: dayOf(operationItems.updatedAt), kind: operations.kind, n: sql<number>`count(*)`.mapWith(Number) })
    .from(operationItems)
    .innerJoin(operations, eq(operations.id, operationItems.operationId))
    .where(
      and(
        gte(operations.createdAt, new Date(start.getTime() - OPERATION_LOOKBACK_MS)),
        inArray(operations.kind, [...MOVE_OPERATION_KINDS]),
        eq(operationItems.status, "succeeded"),
        gte(operationItems.updatedAt, start),
      ),
    )
    .groupBy(sql`1`, operations.kind);
  const byDay = new Map(range.map((day) => [day, { day, failover: 0, drain: 0, rebalance: 0, migration: 0 }]));
  for (const row of rows) {
    const entry = byDay.get(row.day);
    if (entry && row.kind in entry) entry[row.kind as keyof Omit<MovesPerDay[number], "day">] += row.n;
  }
  return [...byDay.values()];
}

/** Both daily charts of the overview in one round trip. */
export async function getDailyActivity(deps: Pick<StatsDeps, "db" | "clock">): Promise<{ keys: KeysPerDay; moves: MovesPerDay }> {
  const [keys, moves] = await Promise.all([getKeysPerDay(deps), getMovesPerDay(deps)]);
  return { keys, moves };
}
