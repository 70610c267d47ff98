/**
 * Latency per node over 24 h / 7 d / 30 d as one row per bucket (`{t, n0, n1, …}`) for
 * TimeSeriesChart, plus each node's uptime and mean latency over the window. The buckets come from
 * health-history's getHealthSeries (the quarter-hour counts for 24 h; the hourly roll-up plus the
 * raw checks after it beyond that), in one query for the few nodes picked here, so a chart at
 * 1,000 nodes reads ~100 rows per shown node whatever its range.
 */
import { asc, eq, sql } from "drizzle-orm";
import { nodes } from "@/server/db/schema";
import { getHealthSeries } from "../health/health-history";
import type { StatsDeps } from "./stats-deps";
import { windowOf, type TimeRange } from "./time-range";

/** More lines than this turn a chart into noise; the slowest nodes right now are shown. */
const LATENCY_SERIES_LIMIT = 8;

export type LatencySeries = {
  range: TimeRange;
  from: number;
  to: number;
  /** Chart keys are `n0`, `n1`, … (node names may hold dots, which recharts reads as paths). */
  series: { key: string; label: string; nodeId: string; uptimePercent: number | null; avgLatencyMs: number | null }[];
  points: ({ t: number } & Record<string, number | null>)[];
  totalNodes: number;
};

export async function getLatencySeries(deps: StatsDeps, input: { range: TimeRange; nodeId?: string }): Promise<LatencySeries> {
  const now = deps.clock.now();
  const window = windowOf(input.range, now);
  const picked = await deps.db
    .select({ id: nodes.id, name: nodes.name, totalNodes: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(nodes)
    .where(input.nodeId ? eq(nodes.id, input.nodeId) : sql`${nodes.adminState} <> 'disabled'`)
    .orderBy(sql`${nodes.lastLatencyMs} desc nulls last`, asc(nodes.name))
    .limit(input.nodeId ? 1 : LATENCY_SERIES_LIMIT);
  const ids = picked.map((p) => p.id);
  const series = await getHealthSeries(deps.db, { range: input.range, now, nodeIds: ids });

  const keyOf = new Map(ids.map((id, i) => [id, `n${i}`]));
  const byBucket = new Map<number, Record<string, number | null>>();
  const totals = new Map<string, { checks: number; ok: number; latencySum: number; latencyCount: number }>();
  for (const { nodeId, points } of series) {
    const key = keyOf.get(nodeId)!;
    const total = { checks: 0, ok: 0, latencySum: 0, latencyCount: 0 };
    for (const point of points) {
      const values = byBucket.get(point.at.getTime()) ?? {};
      values[key] = point.avgLatencyMs;
      byBucket.set(point.at.getTime(), values);
      total.checks += point.checks;
      total.ok += point.okChecks;
      if (point.avgLatencyMs !== null) {
        total.latencySum += point.avgLatencyMs * point.okChecks;
        total.latencyCount += point.okChecks;
      }
    }
    totals.set(nodeId, total);
  }

  // One point per bucket across the window: a bucket without a successful check is a gap.
  const points: LatencySeries["points"] = [];
  for (let t = window.from.getTime(); t <= now.getTime(); t += window.bucketMs) {
    const point: { t: number } & Record<string, number | null> = { t };
    const values = byBucket.get(t);
    for (const key of keyOf.values()) point[key] = values?.[key] ?? null;
    points.push(point);
  }

  return {
    range: input.range,
    from: window.from.getTime(),
    to: now.getTime(),
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

