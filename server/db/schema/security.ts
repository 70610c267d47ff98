import { index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Rate-limit counters, one row per (bucket, fixed window): `bucket` is the scope and a hash of the
 * key (a token, an address, a telegram id), never the key itself. Incremented by one upsert per hit
 * (server/services/rate-limits), pruned by a cron step once older than the longest window. The
 * table is UNLOGGED (a custom migration): a counter needs no crash safety, and a hit that writes no
 * WAL never waits for a WAL flush on the bot's hot path.
 */
export const rateLimitHits = pgTable(
  "rate_limit_hits",
  {
    bucket: text().notNull(),
    windowStart: timestamp({ withTimezone: true }).notNull(),
    hits: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.windowStart] }), index("rate_limit_hits_window_idx").on(t.windowStart)],
);
