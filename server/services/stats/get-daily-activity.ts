/**
 * Per-day counts for the overview's bar charts, from the trigger-kept daily counts (by UTC day),
 * padded with zero days here so the chart always shows the whole window. Both charts come from one
 * read of the counts.
 */
import type { MoveKind } from "@/server/db/schema";
import { countPerDay, MOVE_METRICS } from "./daily-counts";
import type { StatsDeps } from "./stats-deps";
import { lastDays } from "./time-range";

const DAILY_WINDOW_DAYS = 30;

/** Keys issued per day: new assignments, not counting ones created by moving an existing user. */
export type KeysPerDay = { day: string; keys: number }[];
/** Users moved per day, by what moved them (stacked in the chart). */
export type MovesPerDay = ({ day: string } & Record<MoveKind, number>)[];

export async function getDailyActivity(deps: Pick<StatsDeps, "db" | "clock">, days = DAILY_WINDOW_DAYS): Promise<{ keys: KeysPerDay; moves: MovesPerDay }> {
  const range = lastDays(days, deps.clock.now());
  const keys = new Map(range.map((day) => [day, { day, keys: 0 }]));
  const moves = new Map(range.map((day) => [day, { day, failover: 0, drain: 0, rebalance: 0, migration: 0 }]));
  for (const row of await countPerDay(deps.db, ["keys", ...MOVE_METRICS], range[0]!)) {
    if (row.metric === "keys") {
      const entry = keys.get(row.day);
      if (entry) entry.keys += row.n;
      continue;
    }
    const entry = moves.get(row.day);
    if (entry) entry[row.metric.slice("moves.".length) as MoveKind] += row.n;
  }
  return { keys: [...keys.values()], moves: [...moves.values()] };
}
