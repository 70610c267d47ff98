import type { Database } from "@/server/db/client";
import type { Clock } from "../clock";

/** What the stats queries need: the database, a clock (tests pin "now"), the sweep interval. */
export type StatsDeps = {
  db: Database;
  clock: Clock;
  /** Health interval in seconds (Settings, falling back to HEALTH_INTERVAL_SECONDS). */
  healthIntervalSeconds: number;
};

/** Operation kinds whose items move a user from one node to another. */
export const MOVE_OPERATION_KINDS = ["migration", "failover", "drain", "rebalance"] as const;

/** Placement strategies that move an existing key rather than issue one for a user. */
export const MOVE_STRATEGIES = ["migration", "rebalance"] as const;

// Operations older than this are not looked at for "moves today/per day": the lookup starts from
// the operations' creation-time index, and no operation runs anywhere near this long.
export const OPERATION_LOOKBACK_MS = 7 * 24 * 3_600_000;
