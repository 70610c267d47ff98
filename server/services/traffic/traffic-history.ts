/**
 * Upkeep of the ledger's hourly roll-ups. Per-user hours feed the user charts (up to 30 days) and
 * are the bulk of the ledger's rows (one per user per hour with traffic), so they are kept a little
 * past the longest chart; per-node hours are few (one per node per hour) and kept as long as the
 * health roll-ups.
 */
import { sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { rowsOf } from "@/server/db/migrate";

const DAY_MS = 86_400_000;
export const USER_HOURS_RETENTION_DAYS = 35;
export const NODE_HOURS_RETENTION_DAYS = 90;
// One cron run deletes at most this many rows per table, so a first prune after a long pause stays short.
const PRUNE_BATCH = 50_000;

async function pruneBefore(db: Database, table: "user_traffic_hourly" | "node_traffic_hourly", before: Date): Promise<number> {
  const result = await db.execute(sql`
    WITH gone AS (
      DELETE FROM ${sql.identifier(table)} WHERE ctid IN (
        SELECT ctid FROM ${sql.identifier(table)} WHERE hour < ${before.toISOString()}::timestamptz LIMIT ${PRUNE_BATCH}
      ) RETURNING 1
    ) SELECT count(*)::int AS n FROM gone`);
  return Number(rowsOf<{ n: number }>(result)[0]?.n ?? 0);
}

export async function pruneTrafficHistory(db: Database, options: { now: Date }): Promise<{ userHours: number; nodeHours: number }> {
  const now = options.now.getTime();
  return {
    userHours: await pruneBefore(db, "user_traffic_hourly", new Date(now - USER_HOURS_RETENTION_DAYS * DAY_MS)),
    nodeHours: await pruneBefore(db, "node_traffic_hourly", new Date(now - NODE_HOURS_RETENTION_DAYS * DAY_MS)),
  };
}
