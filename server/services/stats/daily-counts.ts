/**
 * Readers of daily_counts, the trigger-kept counts of users created, keys issued and users moved
 * per UTC day (server/db/schema/counters.ts): a total or a day is a sum over a handful of rows,
 * where counting the rows themselves reads a million of them at fleet scale.
 */
import { and, eq, gte, inArray, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { dailyCounts, MOVE_OPERATION_KINDS } from "@/server/db/schema";

type Metric = (typeof dailyCounts.$inferSelect)["metric"];

export const MOVE_METRICS = MOVE_OPERATION_KINDS.map((kind) => `moves.${kind}` as const);

/** All users, or every key ever issued. */
export async function countAllTime(db: Database, metric: Metric): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`coalesce(sum(${dailyCounts.n}), 0)`.mapWith(Number) })
    .from(dailyCounts)
    .where(eq(dailyCounts.metric, metric));
  return row?.n ?? 0;
}

/** The sum of `metrics`' counts (from `fromDay` on, when given), as a scalar subquery for a statement that reads other things too. */
export function sumSql(metrics: readonly Metric[], fromDay?: string) {
  const where = and(inArray(dailyCounts.metric, [...metrics]), fromDay === undefined ? undefined : gte(dailyCounts.day, fromDay));
  return sql<number>`(SELECT coalesce(sum(${dailyCounts.n}), 0) FROM ${dailyCounts} WHERE ${where})`.mapWith(Number);
}

/** Each metric's count per "YYYY-MM-DD" from `fromDay` on; days without any are absent. */
export async function countPerDay(db: Database, metrics: readonly Metric[], fromDay: string): Promise<{ metric: Metric; day: string; n: number }[]> {
  return db
    .select({ metric: dailyCounts.metric, day: dailyCounts.day, n: sql<number>`sum(${dailyCounts.n})`.mapWith(Number) })
    .from(dailyCounts)
    .where(and(inArray(dailyCounts.metric, [...metrics]), gte(dailyCounts.day, fromDay)))
    .groupBy(dailyCounts.metric, dailyCounts.day);
}
