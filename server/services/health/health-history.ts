/**
 * Health history: the hourly roll-up, pruning, and the queries behind the dashboard's charts.
 *
 * Raw checks (one per node per interval, ~2,880 a day per node) are kept HEALTH_RETENTION_DAYS;
 * completed hours are rolled up into health_hourly, so 7- and 30-day charts read ~24 rows per node
 * per day. Queries over long ranges read the roll-up and add the raw checks after the last rolled
 * hour, so the newest data is never missing from a chart. The 24-hour charts read the quarter-hour
 * counts a trigger keeps with every check (health_quarter_hours, ~96 rows per node a day), so they
 * are complete up to the last check and never scan the checks themselves.
 */
import { desc, inArray, lt, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { rowsOf } from "@/server/db/migrate";
import { cronRuns, healthChecks, healthHourly, healthQuarterHours } from "@/server/db/schema";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
// Checks still being written when an hour ends must land before that hour is rolled up.
const ROLLUP_LAG_MS = 5 * 60_000;
const HOURLY_RETENTION_DAYS = 90;
const CRON_RUNS_RETENTION_DAYS = 7;
// The quarter-hour counts serve only the 24-hour charts; a day's margin covers a clock running late.
const QUARTER_HOURS_RETENTION_DAYS = 2;
// One cron run deletes at most this many raw checks, so a first prune after a long pause stays short.
const PRUNE_BATCH = 50_000;
const ORIGIN = sql`TIMESTAMPTZ '2000-01-01 00:00:00+00'`;

/** Rolls up every completed hour not rolled yet (and re-rolls the last one, for late writes). */
export async function rollUpHealthChecks(db: Database, options: { now: Date }): Promise<{ hours: number }> {
  const until = new Date(Math.floor((options.now.getTime() - ROLLUP_LAG_MS) / HOUR_MS) * HOUR_MS);
  const result = await db.execute(sql`
    WITH bounds AS (
      SELECT coalesce(
        (SELECT max(${healthHourly.hour}) FROM ${healthHourly}),
        (SELECT date_bin('1 hour', min(${healthChecks.checkedAt}), ${ORIGIN}) FROM ${healthChecks})
      ) AS since
    )
    INSERT INTO ${healthHourly} (node_id, hour, checks, ok_checks, avg_latency_ms, max_latency_ms)
    SELECT node_id, date_bin('1 hour', checked_at, ${ORIGIN}) AS hour, count(*), count(*) FILTER (WHERE is_ok),
           avg(latency_ms) FILTER (WHERE is_ok), max(latency_ms) FILTER (WHERE is_ok)
    FROM ${healthChecks}, bounds
    WHERE checked_at >= bounds.since AND checked_at < ${until.toISOString()}::timestamptz
    GROUP BY 1, 2
    ON CONFLICT (node_id, hour) DO UPDATE SET
      checks = excluded.checks, ok_checks = excluded.ok_checks,
      avg_latency_ms = excluded.avg_latency_ms, max_latency_ms = excluded.max_latency_ms
    RETURNING hour`);
  return { hours: new Set(rowsOf<{ hour: unknown }>(result).map((r) => String(r.hour))).size };
}

export async function pruneHealthHistory(
  db: Database,
  options: { now: Date; retentionDays: number },
): Promise<{ checks: number; hours: number; quarterHours: number; cronRuns: number }> {
  const now = options.now.getTime();
  const oldChecks = db
    .select({ id: healthChecks.id })
    .from(healthChecks)
    .where(lt(healthChecks.checkedAt, new Date(now - options.retentionDays * DAY_MS)))
    .limit(PRUNE_BATCH);
  const checks = await db.delete(healthChecks).where(inArray(healthChecks.id, oldChecks)).returning({ id: healthChecks.id });
  const hourlyCutoff = new Date(now - Math.max(options.retentionDays, HOURLY_RETENTION_DAYS) * DAY_MS);
  const hours = await db.delete(healthHourly).where(lt(healthHourly.hour, hourlyCutoff)).returning({ hour: healthHourly.hour });
  const quarterHours = await db
    .delete(healthQuarterHours)
    .where(lt(healthQuarterHours.startsAt, new Date(now - QUARTER_HOURS_RETENTION_DAYS * DAY_MS)))
    .returning({ startsAt: healthQuarterHours.startsAt });
  const runs = await db
    .delete(cronRuns)
    .where(lt(cronRuns.startedAt, new Date(now - CRON_RUNS_RETENTION_DAYS * DAY_MS)))
    .returning({ id: cronRuns.id });
  return { checks: checks.length, hours: hours.length, quarterHours: quarterHours.length, cronRuns: runs.length };
}

export const HEALTH_RANGES = {
  "24h": { spanMs: DAY_MS, bucket: "15 minutes", source: "quarterHours" },
  "7d": { spanMs: 7 * DAY_MS, bucket: "1 hour", source: "hourly" },
  "30d": { spanMs: 30 * DAY_MS, bucket: "6 hours", source: "hourly" },
} as const;
type HealthSource = (typeof HEALTH_RANGES)[HealthRange]["source"];
export type HealthRange = keyof typeof HEALTH_RANGES;

export type HealthPoint = {
  at: Date;
  checks: number;
  okChecks: number;
  /** okChecks / checks, 0..1 */
  uptime: number;
  avgLatencyMs: number | null;
  maxLatencyMs: number | null;
};
export type NodeHealthSeries = { nodeId: string; points: HealthPoint[] };

type Row = { node_id: string; bucket: string | Date; checks: string | number; ok_checks: string | number; avg_latency: string | number | null; max_latency: string | number | null };

/** Per-node buckets over [from, now): the quarter-hour counts, or the hourly roll-up where it exists and raw checks after it. */
async function aggregate(db: Database, options: { from: Date; bucket: string; source: HealthSource; nodeIds?: string[] }): Promise<Row[]> {
  const { nodeIds } = options;
  // postgres.js takes no Date inside raw SQL: pass ISO text and cast.
  const fromIso = options.from.toISOString();
  const interval = sql`${options.bucket}::interval`;
  const ofNodes = nodeIds ? sql`AND node_id IN ${nodeIds}` : sql``;
  const src =
    options.source === "quarterHours"
      ? sql`SELECT node_id, date_bin(${interval}, starts_at, ${ORIGIN}) AS bucket, checks, ok_checks,
                   latency_sum_ms AS latency_sum, latency_count AS latency_n, max_latency_ms AS max_latency
            FROM ${healthQuarterHours} WHERE starts_at >= date_bin('15 minutes', ${fromIso}::timestamptz, ${ORIGIN}) ${ofNodes}`
      : sql`SELECT node_id, date_bin(${interval}, hour, ${ORIGIN}) AS bucket, checks, ok_checks,
                   avg_latency_ms * ok_checks AS latency_sum, CASE WHEN avg_latency_ms IS NULL THEN 0 ELSE ok_checks END AS latency_n,
                   max_latency_ms AS max_latency
            FROM ${healthHourly} WHERE hour >= ${fromIso}::timestamptz ${ofNodes}
            UNION ALL
            SELECT node_id, date_bin(${interval}, checked_at, ${ORIGIN}) AS bucket, 1 AS checks, CASE WHEN is_ok THEN 1 ELSE 0 END AS ok_checks,
                   CASE WHEN is_ok THEN latency_ms END AS latency_sum, CASE WHEN is_ok AND latency_ms IS NOT NULL THEN 1 ELSE 0 END AS latency_n,
                   CASE WHEN is_ok THEN latency_ms END AS max_latency
            FROM ${healthChecks}
            WHERE checked_at >= greatest(${fromIso}::timestamptz, coalesce((SELECT max(hour) + interval '1 hour' FROM ${healthHourly}), ${fromIso}::timestamptz)) ${ofNodes}`;
  const result = await db.execute(sql`
    WITH src AS (${src})
    SELECT node_id, bucket, sum(checks) AS checks, sum(ok_checks) AS ok_checks,
           sum(latency_sum) / nullif(sum(latency_n), 0) AS avg_latency, max(max_latency) AS max_latency
    FROM src GROUP BY node_id, bucket ORDER BY node_id, bucket`);
  return rowsOf<Row>(result);
}

const num = (v: string | number | null) => (v === null ? null : Number(v));

/** Latency and uptime series per node for a chart: 15-minute buckets for 24h, hourly for 7d, 6-hourly for 30d. */
export async function getHealthSeries(
  db: Database,
  options: { range: HealthRange; now: Date; nodeIds?: string[] },
): Promise<NodeHealthSeries[]> {
  // No nodes asked for (an empty fleet): nothing to read, and `IN ()` is not SQL.
  if (options.nodeIds?.length === 0) return [];
  const range = HEALTH_RANGES[options.range];
  const rows = await aggregate(db, {
    from: new Date(options.now.getTime() - range.spanMs),
    bucket: range.bucket,
    source: range.source,
    nodeIds: options.nodeIds,
  });
  const series = new Map<string, HealthPoint[]>();
  for (const row of rows) {
    const checks = Number(row.checks);
    const okChecks = Number(row.ok_checks);
    const avg = num(row.avg_latency);
    const points = series.get(row.node_id) ?? [];
    points.push({
      at: new Date(row.bucket),
      checks,
      okChecks,
      uptime: checks === 0 ? 0 : okChecks / checks,
      avgLatencyMs: avg === null ? null : Math.round(avg),
      maxLatencyMs: num(row.max_latency),
    });
    series.set(row.node_id, points);
  }
  return [...series].map(([nodeId, points]) => ({ nodeId, points }));
}

export type NodeUptime = { nodeId: string } & Record<HealthRange, number | null>;

/** Share of successful checks per node over 24h, 7d and 30d (null: no checks in that range). */
export async function getUptimeSummary(db: Database, options: { now: Date; nodeIds?: string[] }): Promise<NodeUptime[]> {
  const ranges = Object.keys(HEALTH_RANGES) as HealthRange[];
  const perRange = await Promise.all(ranges.map((range) => getHealthSeries(db, { ...options, range })));
  const byNode = new Map<string, NodeUptime>();
  perRange.forEach((series, i) => {
    for (const { nodeId, points } of series) {
      const entry = byNode.get(nodeId) ?? { nodeId, "24h": null, "7d": null, "30d": null };
      const checks = points.reduce((sum, p) => sum + p.checks, 0);
      entry[ranges[i]!] = checks === 0 ? null : points.reduce((sum, p) => sum + p.okChecks, 0) / checks;
      byNode.set(nodeId, entry);
    }
  });
  return [...byNode.values()];
}

export type LastSweep = {
  startedAt: Date | null;
  finishedAt: Date | null;
  trigger: string | null;
  summary: Record<string, unknown> | null;
  /** No cron run started within 3× the health interval: nobody is pinging the health route. */
  isOverdue: boolean;
  /** What to tell the admin when overdue. */
  hint: string | null;
};

/** No cron run started within 3× the health interval (or none ever): one rule for every reader of the last sweep. */
export function isSweepOverdue(lastStartedAt: Date | null, options: { now: Date; intervalSeconds: number }): boolean {
  return !lastStartedAt || options.now.getTime() - lastStartedAt.getTime() > 3 * options.intervalSeconds * 1000;
}

/** The newest cron run's start, as a scalar subquery for a statement that reads other things too. */
export const lastSweepStartSql = sql<Date | null>`(SELECT max(${cronRuns.startedAt}) FROM ${cronRuns})`.mapWith(cronRuns.startedAt);

export async function getLastSweep(db: Database, options: { now: Date; intervalSeconds: number }): Promise<LastSweep> {
  const [last] = await db.select().from(cronRuns).orderBy(desc(cronRuns.startedAt)).limit(1);
  const isOverdue = isSweepOverdue(last?.startedAt ?? null, options);
  return {
    startedAt: last?.startedAt ?? null,
    finishedAt: last?.finishedAt ?? null,
    trigger: last?.trigger ?? null,
    summary: last?.summary ?? null,
    isOverdue,
    hint: isOverdue
      ? `${last ? "No health sweep has run since " + last.startedAt.toISOString() : "No health sweep has run yet"}. ` +
        "Node health is stale until something calls GET /api/cron/health with Authorization: Bearer $CRON_SECRET " +
        "(a crontab line, a systemd timer or a Vercel cron; see README › Who pings the health route), " +
        "or the app runs its own sweep (INTERNAL_CRON_SECONDS > 0, the default with the embedded database)."
      : null,
  };
}
