/*
 * Date formatting for chart axes and tooltips. Timestamps are epoch milliseconds; days are
 * "YYYY-MM-DD" strings already bucketed by the server, formatted in UTC so they never
 * shift by a day in the browser's time zone.
 */

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Axis tick label: time of day for short ranges, date for ranges over two days. */
export function formatTick(timestamp: number, spanMs: number, locale: string): string {
  const options: Intl.DateTimeFormatOptions =
    spanMs <= 2 * DAY_MS
      ? { hour: "2-digit", minute: "2-digit" }
      : { day: "numeric", month: "short" };
  return new Intl.DateTimeFormat(locale, options).format(timestamp);
}

/** Full timestamp for tooltips. */
export function formatDateTime(timestamp: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  }).format(timestamp);
}

export function formatDay(day: string, locale: string, options?: { withWeekday?: boolean }): string {
  return new Intl.DateTimeFormat(locale, {
    day: "numeric",
    month: "short",
    weekday: options?.withWeekday ? "short" : undefined,
    timeZone: "UTC",
  }).format(new Date(`${day}T00:00:00Z`));
}

/** Number with an optional unit ("142 ms", "87%"); a no-break space keeps axis ticks on one line. */
export function formatValue(value: number, locale: string, unit?: string): string {
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value);
  if (!unit) return number;
  return unit === "%" ? `${number}%` : `${number}\u00a0${unit}`;
}
