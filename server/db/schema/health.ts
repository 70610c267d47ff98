import { bigint, bigserial, boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import type { MessageRef } from "@/server/message-ref";
import { nodes } from "./nodes";

export const healthChecks = pgTable(
  "health_checks",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    nodeId: uuid()
      .notNull()
      .references(() => nodes.id, { onDelete: "cascade" }),
    checkedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    isOk: boolean().notNull(),
    latencyMs: integer(),
    error: text(),
    errorRef: jsonb().$type<MessageRef>(),
    cpuPercent: doublePrecision(),
    memUsedBytes: bigint({ mode: "number" }),
    memTotalBytes: bigint({ mode: "number" }),
    xrayState: text(),
    onlineClients: integer(),
  },
  (t) => [
    // Carries what the charts read (is_ok, latency_ms), so a node's day is an index-only scan of a
    // few contiguous pages instead of one heap page per check (a sweep writes all nodes' checks together).
    index("health_checks_node_time_idx").on(t.nodeId, t.checkedAt, t.isOk, t.latencyMs),
    index("health_checks_time_idx").on(t.checkedAt),
  ],
);

/** Hourly roll-up of health_checks so 30-day charts read ~720 rows per node, not ~86,000. */
export const healthHourly = pgTable(
  "health_hourly",
  {
    nodeId: uuid()
      .notNull()
      .references(() => nodes.id, { onDelete: "cascade" }),
    hour: timestamp({ withTimezone: true }).notNull(),
    checks: integer().notNull(),
    okChecks: integer().notNull(),
    avgLatencyMs: doublePrecision(),
    maxLatencyMs: integer(),
  },
  (t) => [
    primaryKey({ columns: [t.nodeId, t.hour] }),
    index("health_hourly_hour_idx").on(t.hour),
    // Rows are written an hour at a time for every node, so one node's month is one heap page per
    // row; carrying the values makes a node's series an index-only scan of a few pages.
    index("health_hourly_node_series_idx").on(t.nodeId, t.hour, t.checks, t.okChecks, t.avgLatencyMs, t.maxLatencyMs),
  ],
);

/**
 * Checks per node and quarter hour, kept by a trigger on health_checks in the transaction of the
 * checks (drizzle migration dashboard-quarter-hours), so the 24-hour charts read ~96 rows per node
 * instead of ~2,880 checks. Pruned after two days (health-history.ts): the hourly roll-up serves
 * longer ranges. Latency is a sum and a count so buckets add up exactly.
 */
export const healthQuarterHours = pgTable(
  "health_quarter_hours",
  {
    nodeId: uuid()
      .notNull()
      .references(() => nodes.id, { onDelete: "cascade" }),
    startsAt: timestamp({ withTimezone: true }).notNull(),
    checks: integer().notNull(),
    okChecks: integer().notNull(),
    latencySumMs: bigint({ mode: "number" }).notNull(),
    latencyCount: integer().notNull(),
    maxLatencyMs: integer(),
  },
  (t) => [
    primaryKey({ columns: [t.nodeId, t.startsAt] }),
    index("health_quarter_hours_starts_idx").on(t.startsAt),
    // As health_hourly's: a quarter hour is written for every node at once, so the values ride in the index.
    index("health_quarter_hours_node_series_idx").on(t.nodeId, t.startsAt, t.checks, t.okChecks, t.latencySumMs, t.latencyCount, t.maxLatencyMs),
  ],
);

/** One row per cron sweep, so the dashboard can say when nobody is pinging the health route. */
export const cronRuns = pgTable(
  "cron_runs",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    trigger: text().notNull(),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp({ withTimezone: true }),
    summary: jsonb().$type<Record<string, unknown>>(),
  },
  (t) => [index("cron_runs_started_idx").on(t.startedAt)],
);

export type HealthCheck = typeof healthChecks.$inferSelect;
