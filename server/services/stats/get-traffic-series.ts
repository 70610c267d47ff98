/**
 * Traffic over 24 h / 7 d / 30 d from the ledger's hourly roll-ups: the fleet's throughput (all
 * nodes), one node's, or one user's (across every node they used). One row per bucket with upload
 * and download, in one unit picked for the largest bucket so the chart's axis reads "GB", not
 * eleven digits; the totals stay in bytes.
 */
import { and, eq, gte, sql } from "drizzle-orm";
import { nodeTrafficHourly, userTrafficHourly, vpnUsers } from "@/server/db/schema";
import type { StatsDeps } from "./stats-deps";
import type { TimeRange } from "./time-range";

const HOUR_MS = 3_600_000;

/** Roll-ups are hourly, so no bucket is finer than an hour. */
const TRAFFIC_BUCKETS: Record<TimeRange, { spanMs: number; bucketMs: number }> = {
  "24h": { spanMs: 24 * HOUR_MS, bucketMs: HOUR_MS },
  "7d": { spanMs: 7 * 24 * HOUR_MS, bucketMs: 6 * HOUR_MS },
  "30d": { spanMs: 30 * 24 * HOUR_MS, bucketMs: 24 * HOUR_MS },
};

export type TrafficSeries = {
  range: TimeRange;
  from: number;
  to: number;
  /** `up` and `down` in bytes; every bucket of the window, zero where nothing was read. */
  points: { t: number; up: number; down: number }[];
  totals: { up: number; down: number };
};

export type TrafficSeriesInput = { range: TimeRange; nodeId?: string; telegramId?: number };

export async function getTrafficSeries(deps: Pick<StatsDeps, "db" | "clock">, input: TrafficSeriesInput): Promise<TrafficSeries> {
  const now = deps.clock.now();
  const spec = TRAFFIC_BUCKETS[input.range];
  const from = Math.floor((now.getTime() - spec.spanMs) / spec.bucketMs) * spec.bucketMs;
  const bucket = (hour: typeof nodeTrafficHourly.hour | typeof userTrafficHourly.hour) =>
    sql`date_bin(${`${spec.bucketMs / 1000} seconds`}::interval, ${hour}, '2000-01-01T00:00:00Z'::timestamptz)`;
  const since = new Date(from);

  const query =
    input.telegramId !== undefined
      ? deps.db
          .select({ at: bucket(userTrafficHourly.hour).mapWith(String), up: sql`sum(${userTrafficHourly.up})`.mapWith(Number), down: sql`sum(${userTrafficHourly.down})`.mapWith(Number) })
          .from(userTrafficHourly)
          .innerJoin(vpnUsers, eq(vpnUsers.id, userTrafficHourly.userId))
          .where(and(eq(vpnUsers.telegramId, input.telegramId), gte(userTrafficHourly.hour, since)))
          .groupBy(sql`1`)
      : deps.db
          .select({ at: bucket(nodeTrafficHourly.hour).mapWith(String), up: sql`sum(${nodeTrafficHourly.up})`.mapWith(Number), down: sql`sum(${nodeTrafficHourly.down})`.mapWith(Number) })
          .from(nodeTrafficHourly)
          .where(and(input.nodeId ? eq(nodeTrafficHourly.nodeId, input.nodeId) : undefined, gte(nodeTrafficHourly.hour, since)))
          .groupBy(sql`1`);
  const rows = await query;
  const byBucket = new Map(rows.map((r) => [new Date(r.at).getTime(), r]));

  const points: TrafficSeries["points"] = [];
  const totals = { up: 0, down: 0 };
  for (let t = from; t <= now.getTime(); t += spec.bucketMs) {
    const row = byBucket.get(t);
    points.push({ t, up: row?.up ?? 0, down: row?.down ?? 0 });
    totals.up += row?.up ?? 0;
    totals.down += row?.down ?? 0;
  }
  return {
    range: input.range,
    from,
    to: now.getTime(),
    points,
    totals,
  };
}
