/*
 * Values and dates for chart axes and tooltips, in the reader's locale through Intl. Timestamps are
 * epoch milliseconds; days are "YYYY-MM-DD" strings already bucketed by the server, formatted in
 * UTC so they never shift by a day in the browser's time zone. Time-axis ticks are in time-axis.ts.
 */

/**
 * What an axis measures, shown on every tick and tooltip value ("120 ms", "87 %", "1.5 GB").
 * Counts (users, keys) have no unit here: their axis names them in a caption.
 */
export type ChartUnit = "ms" | "percent" | "bytes";

// 3X-UI shows traffic in binary multiples; the same figures here read the same as on the panel.
const BYTE_UNITS = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte", "petabyte"] as const;

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}:${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, options);
    numberFormats.set(key, format);
  }
  return format;
}

/**
 * A value with its unit. `exact` is for tooltips: more digits (two for bytes and percentages, one
 * for milliseconds) where an axis tick keeps it short.
 */
export function formatValue(value: number, locale: string, unit?: ChartUnit, options?: { exact?: boolean }): string {
  const exact = options?.exact ?? false;
  switch (unit) {
    case "ms":
      return numberFormat(locale, { style: "unit", unit: "millisecond", maximumFractionDigits: exact ? 1 : 0 }).format(value);
    case "percent":
      return numberFormat(locale, { style: "percent", maximumFractionDigits: exact ? 2 : 0 }).format(value / 100);
    case "bytes": {
      let scaled = Math.abs(value);
      let index = 0;
      while (scaled >= 1024 && index < BYTE_UNITS.length - 1) {
        scaled /= 1024;
        index++;
      }
      const digits = index === 0 ? 0 : exact ? 2 : 1;
      return numberFormat(locale, { style: "unit", unit: BYTE_UNITS[index], maximumFractionDigits: digits }).format(Math.sign(value) * scaled);
    }
    default:
      return numberFormat(locale, { maximumFractionDigits: exact ? 2 : 1 }).format(value);
  }
}

/** The full moment for tooltips: weekday, date and time ("Sat, Nov 28, 6:15 AM"). */
export function formatDateTime(timestamp: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "numeric",
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
