import { bigint, date, pgTable, primaryKey, smallint, text } from "drizzle-orm/pg-core";

/** Operation kinds whose items move a user from one node to another. */
export const MOVE_OPERATION_KINDS = ["migration", "failover", "drain", "rebalance"] as const;
export type MoveKind = (typeof MOVE_OPERATION_KINDS)[number];

/**
 * Counts the dashboard shows that would otherwise count a million rows on every view, kept by
 * triggers in the transaction of the rows they count (drizzle/0005_dashboard-scale.sql):
 * `users` — vpn_users created that UTC day; `keys` — assignments issued that day, moves (strategy
 * migration or rebalance) left out; `moves.<kind>` — users a failover, drain, rebalance or
 * migration moved that day. A total is the sum over days and shards. Writers add to the shard of
 * their backend (pid % 8), so concurrent placements do not queue on one row.
 */
export const dailyCounts = pgTable(
  "daily_counts",
  {
    metric: text().$type<"users" | "keys" | `moves.${MoveKind}`>().notNull(),
    day: date({ mode: "string" }).notNull(),
    shard: smallint().notNull(),
    n: bigint({ mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.metric, t.day, t.shard] })],
);
