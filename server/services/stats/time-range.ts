/**
 * The chart windows the dashboard offers and how each is bucketed. The buckets are the ones
 * health-history's getHealthSeries uses (date_bin from 2000-01-01 UTC), so the chart's time grid
 * lines up with the points it returns.
 */
import { z } from "zod";

const TIME_RANGES = ["24h", "7d", "30d"] as const;
export const timeRangeSchema = z.enum(TIME_RANGES, { error: "must be 24h, 7d or 30d" });
export type TimeRange = z.infer<typeof timeRangeSchema>;

const HOUR_MS = 3_600_000;

type RangeSpec = { spanMs: number; bucketMs: number };

const RANGE_SPECS: Record<TimeRange, RangeSpec> = {
  "24h": { spanMs: 24 * HOUR_MS, bucketMs: 15 * 60_000 },
  "7d": { spanMs: 7 * 24 * HOUR_MS, bucketMs: HOUR_MS },
  "30d": { spanMs: 30 * 24 * HOUR_MS, bucketMs: 6 * HOUR_MS },
};

/** The window ending now; its first bucket is the one holding `now − span`, as date_bin places it. */
export function windowOf(range: TimeRange, now: Date): { from: Date; to: Date; bucketMs: number } {
  const spec = RANGE_SPECS[range];
  const from = Math.floor((now.getTime() - spec.spanMs) / spec.bucketMs) * spec.bucketMs;
  return { from: new Date(from), to: now, bucketMs: spec.bucketMs };
}

const DAY_MS = 24 * HOUR_MS;

/** "YYYY-MM-DD" (UTC) of each of the last `days` days, oldest first, today last. */
export function lastDays(days: number, now: Date): string[] {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

export function startOfUtcDay(now: Date): Date {
  return new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
}
