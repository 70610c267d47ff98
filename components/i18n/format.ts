import type { Locale } from "./locale";

/*
 * Numbers, dates and times in the active locale, through Intl. Formatters are cached per locale
 * and style. The time zone is the renderer's (server or browser), as with toLocaleString().
 */
const DATE: Intl.DateTimeFormatOptions = { year: "numeric", month: "numeric", day: "numeric" };
const TIME: Intl.DateTimeFormatOptions = { hour: "numeric", minute: "2-digit", second: "2-digit" };

const STYLES = {
  dateTime: { ...DATE, ...TIME },
  date: DATE,
  time: TIME,
} satisfies Record<string, Intl.DateTimeFormatOptions>;

type DateStyle = keyof typeof STYLES;

const dateFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<Locale, Intl.NumberFormat>();
const inputNumberFormats = new Map<Locale, Intl.NumberFormat>();

function dateFormat(locale: Locale, style: DateStyle): Intl.DateTimeFormat {
  const cacheKey = `${locale}:${style}`;
  let format = dateFormats.get(cacheKey);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, STYLES[style]);
    dateFormats.set(cacheKey, format);
  }
  return format;
}

export function formatNumber(locale: Locale, value: number): string {
  let format = numberFormats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(locale);
    numberFormats.set(locale, format);
  }
  return format.format(value);
}

/**
 * A number as a form field holds it for editing: the locale's decimal mark and no grouping
 * ("1,5" in Russian, "1.5" in English), so what the field shows is what the server reads back.
 */
export function formatInputNumber(locale: Locale, value: number): string {
  let format = inputNumberFormats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(locale, { useGrouping: false, maximumFractionDigits: 20 });
    inputNumberFormats.set(locale, format);
  }
  return format.format(value);
}

/** "1/2/2025, 3:04:05 PM" / "02.01.2025, 15:04:05" */
export function formatDateTime(locale: Locale, value: Date | string | number): string {
  return dateFormat(locale, "dateTime").format(new Date(value));
}

/** "1/2/2025" / "02.01.2025" */
export function formatDate(locale: Locale, value: Date | string | number): string {
  return dateFormat(locale, "date").format(new Date(value));
}

/** "3:04:05 PM" / "15:04:05" */
export function formatTime(locale: Locale, value: Date | string | number): string {
  return dateFormat(locale, "time").format(new Date(value));
}
