/**
 * Per-day counts for the overview's bar charts, from the trigger-kept daily counts (by UTC day),
 * padded with zero days here so the chart always shows the whole window.
 */
import type { MoveKind } from "@/server/db/schema";
import { countPerDay, MOVE_METRICS } from "./daily-counts";
import type { StatsDeps } from "./stats-deps";
import { lastDays } from "./time-range";

const DAILY_WINDOW_DAYS = 30;

export type KeysPerDay = { day: string; keys: number }[];
export type MovesPerDay = ({ day: string } & Record<MoveKind, number>)[];

/** Keys issued per day: new assignments, not counting ones created by moving an existing user. */
export async function getKeysPerDay(deps: Pick<StatsDeps, "db" | "clock">, days = DAILY_WINDOW_DAYS): Promise<KeysPerDay> {
  const range = lastDays(days, deps.clock.now());
  const byDay = new Map((await countPerDay(deps.db, ["keys"], range[0]!)).map((row) => [row.day, row.n]));
  return range.map((day) => ({ day, keys: byDay.get(day) ?? 0 }));
}

/** Users moved per day, by what moved them (stacked in the chart). */
export async function getMovesPerDay(deps: Pick<StatsDeps, "db" | "clock">, days = DAILY_WINDOW_DAYS): Promise<MovesPerDay> {
  const range = lastDays(days, deps.clock.now());
  const byDay = new Map(range.map((day) => [day, { day, failover: 0, drain: 0, rebalance: 0, migration: 0 }]));
  for (const row of await countPerDay(deps.db, MOVE_METRICS, range[0]!)) {
    const entry = byDay.get(row.day);
    if (entry) entry[row.metric.slice("moves.".length) as MoveKind] += row.n;
  }
  return [...byDay.values()];
}

/** Both daily charts of the overview in one round trip. */
export async function getDailyActivity(deps: Pick<StatsDeps, "db" | "clock">): Promise<{ keys: KeysPerDay; moves: MovesPerDay }> {
  const [keys, moves] = await Promise.all([getKeysPerDay(deps), getMovesPerDay(deps)]);
  return { keys, moves };
}
