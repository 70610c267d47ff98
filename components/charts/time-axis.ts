/*
 * Time axis ticks shared by the time charts and the health timeline, so a timeline under a chart
 * has the same ticks at the same places. Ticks fall on round local times (every 6 h, every day at
 * midnight, …) chosen so that no more than `maxTicks` fit the width. A tick reads as a date when
 * the ticks are a day or more apart; otherwise as a time of day, with the date under the first
 * tick and under each tick that starts a new day — so 24 hours that cross midnight never read as
 * a few minutes. Times are the reader's local time (the renderer's time zone).
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Tick spacings, smallest first: round local minutes and hours, then whole days. */
const STEPS_MS = [15 * MINUTE_MS, 30 * MINUTE_MS, HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS, DAY_MS, 2 * DAY_MS, 7 * DAY_MS, 14 * DAY_MS];

/** Ticks closer than this share of the span to either end are left out: their label would hang over the edge. */
const EDGE_SHARE = 0.02;

export type TimeTick = {
  /** Epoch milliseconds. */
  at: number;
  /** The time of day, or the date when ticks are a day or more apart. */
  primary: string;
  /** The date under a time-of-day tick that starts a day (and under the first one); null elsewhere. */
  secondary: string | null;
};

/** Round local times from `from` to `to`, `stepMs` apart (in local wall time, so DST days keep round hours). */
function roundTimes(from: number, to: number, stepMs: number): number[] {
  const start = new Date(from);
  const times: number[] = [];
  if (stepMs >= DAY_MS) {
    const days = stepMs / DAY_MS;
    for (let k = 0; ; k++) {
      const at = new Date(start.getFullYear(), start.getMonth(), start.getDate() + k * days).getTime();
      if (at > to) break;
      times.push(at);
    }
  } else {
    const minutes = stepMs / MINUTE_MS;
    for (let k = 0; ; k++) {
      const at = new Date(start.getFullYear(), start.getMonth(), start.getDate(), 0, k * minutes).getTime();
      if (at > to) break;
      times.push(at);
    }
  }
  const margin = (to - from) * EDGE_SHARE;
  return times.filter((at) => at >= from + margin && at <= to - margin);
}

/** The tick times for the window: the finest round step that gives at most `maxTicks` ticks (at least one when the window allows). */
export function timeTicks(from: number, to: number, maxTicks: number): { ticks: number[]; stepMs: number } {
  const limit = Math.max(1, Math.floor(maxTicks));
  for (const stepMs of STEPS_MS) {
    if ((to - from) / stepMs > limit + 1) continue;
    const ticks = roundTimes(from, to, stepMs);
    if (ticks.length <= limit) return { ticks, stepMs };
  }
  const stepMs = STEPS_MS[STEPS_MS.length - 1]!;
  return { ticks: roundTimes(from, to, stepMs).slice(0, limit), stepMs };
}

const formats = new Map<string, Intl.DateTimeFormat>();
function format(locale: string, kind: "time" | "date"): Intl.DateTimeFormat {
  const key = `${locale}:${kind}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, kind === "time" ? { hour: "numeric", minute: "2-digit" } : { day: "numeric", month: "short" });
    formats.set(key, f);
  }
  return f;
}

const localDay = (at: number) => new Date(at).toDateString();

/** Labels for ticks `stepMs` apart (see the file header for the rule). */
export function labelTimeTicks(ticks: readonly number[], stepMs: number, locale: string): TimeTick[] {
  if (stepMs >= DAY_MS) return ticks.map((at) => ({ at, primary: format(locale, "date").format(at), secondary: null }));
  return ticks.map((at, index) => ({
    at,
    primary: format(locale, "time").format(at),
    secondary: index === 0 || localDay(at) !== localDay(ticks[index - 1]!) ? format(locale, "date").format(at) : null,
  }));
}

/** The labelled ticks of a time axis over [from, to] with room for `maxTicks`. */
export function timeAxis(from: number, to: number, maxTicks: number, locale: string): TimeTick[] {
  const { ticks, stepMs } = timeTicks(from, to, maxTicks);
  return labelTimeTicks(ticks, stepMs, locale);
}
