/**
 * Latency per node over 24 h / 7 d / 30 d, bucketed in SQL and returned as one row per bucket
 * (`{t, n0, n1, …}`) for TimeSeriesChart, plus each node's uptime over the window. 24 h reads raw
 * checks through (node_id, checked_at); longer windows read the hourly roll-up, so a 30-day chart
 * touches ~720 rows per node instead of ~86,000.
 */
import { and, asc, eq, gte, inArray, sql } from "drizzle-orm";
import { healthChecks, healthHourly, nodes } from "@/server/db/schema";
import type { StatsDeps } from "./stats-deps";
import { windowOf, type TimeRange } from "./time-range";

/** More lines than this turn a chart into noise; the slowest nodes right now are shown. */
export const LATENCY_SERIES_LIMIT = 8;

export type LatencySeries = {
  range: TimeRange;
  from: number;
  to: number;
  /** Chart keys are `n0`, `n1`, … (node names may hold dots, which recharts reads as paths). */
  series: { key: string; label: string; nodeId: string; uptimePercent: number | null; avgLatencyMs: number | null }[];
  points: ({ t: number } & Record<string, number | null>)[];
  totalNodes: number;
};

type BucketRow = { nodeId: string; bucket: number; checks: number; okChecks: number; latencySum: number | null; latencyCount: number };

export async function getLatencySeries(deps: StatsDeps, input: { range: TimeRange; nodeId?: string }): Promise<LatencySeries> {
  const window = windowOf(input.range, deps.clock.now());
  const picked = await deps.db
    .select({ id: nodes.id, name: nodes.name, totalNodes: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(nodes)
    .where(input.nodeId ? eq(nodes.id, input.nodeId) : sql`${nodes.adminState} <> 'disabled'`)
    .orderBy(sql`${nodes.lastLatencyMs} desc nulls last`, asc(nodes.name))
    .limit(input.nodeId ? 1 : LATENCY_SERIES_LIMIT);
  const ids = picked.map((p) => p.id);
  const rows = ids.length ? await readBuckets(deps, ids, window) : [];

  const keyOf = new Map(ids.map((id, i) => [id, `n${i}`]));
  const byBucket = new Map<number, Record<string, number | null>>();
  const totals = new Map<string, { checks: number; ok: number; latencySum: number; latencyCount: number }>();
  for (const row of rows) {
    const key = keyOf.get(row.nodeId)!;
    const point = byBucket.get(row.bucket) ?? {};
    point[key] = row.latencyCount > 0 && row.latencySum !== null ? Math.round(row.latencySum / row.latencyCount) : null;
    byBucket.set(row.bucket, point);
    const total = totals.get(row.nodeId) ?? { checks: 0, ok: 0, latencySum: 0, latencyCount: 0 };
    total.checks += row.checks;
    total.ok += row.okChecks;
    total.latencySum += row.latencySum ?? 0;
    total.latencyCount += row.latencyCount;
    totals.set(row.nodeId, total);
  }

  // One point per bucket across the whole window: a bucket with no successful check is a gap.
  const points: LatencySeries["points"] = [];
  for (let t = window.from.getTime(); t <= window.to.getTime(); t += window.bucketMs) {
    const point: { t: number } & Record<string, number | null> = { t };
    const values = byBucket.get(t);
    for (const key of keyOf.values()) point[key] = values?.[key] ?? null;
    points.push(point);
  }

  return {
    range: input.range,
    from: window.from.getTime(),
    to: window.to.getTime(),
    series: picked.map((p) => {
      const total = totals.get(p.id);
      return {
        key: keyOf.get(p.id)!,
        label: p.name,
        nodeId: p.id,
        uptimePercent: total && total.checks > 0 ? Math.round((total.ok / total.checks) * 1000) / 10 : null,
        avgLatencyMs: total && total.latencyCount > 0 ? Math.round(total.latencySum / total.latencyCount) : null,
      };
    }),
    points,
    totalNodes: picked[0]?.totalNodes ?? 0,
  };
}

async function readBuckets(deps: StatsDeps, ids: string[], window: ReturnType<typeof windowOf>): Promise<BucketRow[]> {
  const bucketSeconds = window.bucketMs / 1000;
  if (window.source === "checks") {
    const bucket = sql<number>`(floor(extract(epoch from ${healthChecks.checkedAt}) / ${bucketSeconds}) * ${bucketSeconds * 1000})::float8`.mapWith(Number);
    return deps.db
      .select({
        nodeId: healthChecks.nodeId,
        bucket,
        checks: sql<number>`count(*)`.mapWith(Number),
        okChecks: sql<number>`count(*) filter (where ${healthChecks.isOk})`.mapWith(Number),
        latencySum: sql<number | null>`sum(${healthChecks.latencyMs}) filter (where ${healthChecks.isOk})`.mapWith(Number),
        latencyCount: sql<number>`count(${healthChecks.latencyMs}) filter (where ${healthChecks.isOk})`.mapWith(Number),
      })
      .from(healthChecks)
      .where(and(inArray(healthChecks.nodeId, ids), gte(healthChecks.checkedAt, window.from)))
      .groupBy(healthChecks.nodeId, sql`2`);
  }
  const bucket = sql<number>`(floor(extract(epoch from ${healthHourly.hour}) / ${bucketSeconds}) * ${bucketSeconds * 1000})::float8`.mapWith(Number);
  return deps.db
    .select({
      nodeId: healthHourly.nodeId,
      bucket,
      checks: sql<number>`sum(${healthHourly.checks})`.mapWith(Number),
      okChecks: sql<number>`sum(${healthHourly.okChecks})`.mapWith(Number),
      // The roll-up stores an average over ok checks: weight it back into a sum.
      latencySum: sql<number | null>`sum(${healthHourly.avgLatencyMs} * ${healthHourly.okChecks})`.mapWith(Number),
      latencyCount: sql<number>`coalesce(sum(${healthHourly.okChecks}) filter (where ${healthHourly.avgLatencyMs} is not null), 0)`.mapWith(Number),
    })
    .from(healthHourly)
    .where(and(inArray(healthHourly.nodeId, ids), gte(healthHourly.hour, window.from)))
    .groupBy(healthHourly.nodeId, sql`2`);
}
