import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { nodes } from "./nodes";
import { assignments, vpnUsers } from "./users";

/**
 * The traffic ledger's last applied reading of one panel counter (one client email on one node's
 * inbound). A reading is applied by a compare-and-set on `seq` in the statement that adds its delta
 * to the totals, so the same reading applied twice (a retry, a second replica) adds nothing.
 */
export const trafficCounters = pgTable(
  "traffic_counters",
  {
    nodeId: uuid()
      .notNull()
      .references(() => nodes.id, { onDelete: "cascade" }),
    inboundId: integer().notNull(),
    /** As the panel spells it; our emails are lower case. */
    email: text().notNull(),
    userId: uuid()
      .notNull()
      .references(() => vpnUsers.id, { onDelete: "cascade" }),
    assignmentId: uuid().references(() => assignments.id, { onDelete: "set null" }),
    up: bigint({ mode: "number" }).notNull(),
    down: bigint({ mode: "number" }).notNull(),
    /** Bumped by every applied reading. */
    seq: bigint({ mode: "number" }).notNull(),
    readAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.nodeId, t.inboundId, t.email] }),
    index("traffic_counters_user_idx").on(t.userId),
    check("traffic_counters_nonneg", sql`${t.up} >= 0 AND ${t.down} >= 0`),
  ],
);

/** Per-user deltas summed per hour (the hour they were read in), across nodes: the user's charts. */
export const userTrafficHourly = pgTable(
  "user_traffic_hourly",
  {
    userId: uuid()
      .notNull()
      .references(() => vpnUsers.id, { onDelete: "cascade" }),
    hour: timestamp({ withTimezone: true }).notNull(),
    up: bigint({ mode: "number" }).notNull(),
    down: bigint({ mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.hour] }), index("user_traffic_hourly_hour_idx").on(t.hour)],
);

/** Per-node deltas summed per hour: the node's chart, and summed over nodes the fleet's throughput. */
export const nodeTrafficHourly = pgTable(
  "node_traffic_hourly",
  {
    nodeId: uuid()
      .notNull()
      .references(() => nodes.id, { onDelete: "cascade" }),
    hour: timestamp({ withTimezone: true }).notNull(),
    up: bigint({ mode: "number" }).notNull(),
    down: bigint({ mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.nodeId, t.hour] }), index("node_traffic_hourly_hour_idx").on(t.hour)],
);

/**
 * When each node's counters were last read. `claimedAt` is the claim (a conditional upsert), so two
 * cron pings or replicas read a node once per interval; the rest says how the last read went.
 */
export const nodeTrafficReads = pgTable("node_traffic_reads", {
  nodeId: uuid()
    .primaryKey()
    .references(() => nodes.id, { onDelete: "cascade" }),
  claimedAt: timestamp({ withTimezone: true }).notNull(),
  lastOkAt: timestamp({ withTimezone: true }),
  lastError: text(),
});

export type TrafficCounter = typeof trafficCounters.$inferSelect;
