import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelTimeTicks, timeAxis, timeTicks } from "./time-axis";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// Ticks are in the reader's local time: run in a zone off UTC by a half hour to prove it.
const zone = process.env.TZ;
beforeAll(() => {
  process.env.TZ = "Asia/Kolkata";
  expect(new Date(2026, 0, 1).getTimezoneOffset()).toBe(-330);
});
afterAll(() => {
  process.env.TZ = zone;
});

const local = (y: number, m: number, d: number, h = 0, min = 0) => new Date(y, m - 1, d, h, min).getTime();

describe("timeAxis", () => {
  it("gives a 24 h window that crosses midnight times of day, with the date under the first tick and the one that starts the next day", () => {
    const from = local(2026, 11, 28, 6, 15);
    const ticks = timeAxis(from, from + DAY, 6, "en");
    expect(ticks.map((t) => [t.primary, t.secondary])).toEqual([
      ["12:00 PM", "Nov 28"],
      ["6:00 PM", null],
      ["12:00 AM", "Nov 29"],
    ]);
    expect(timeAxis(from, from + DAY, 6, "ru").map((t) => [t.primary, t.secondary])).toEqual([
      ["12:00", "28 нояб."],
      ["18:00", null],
      ["0:00", "29 нояб."],
    ]);
  });

  it("chooses dates for multi-day windows: 7 and 30 days read as days, never as times", () => {
    const now = local(2026, 11, 29, 14, 40);
    const week = timeAxis(now - 7 * DAY, now, 8, "en");
    expect(week.map((t) => t.primary)).toEqual(["Nov 23", "Nov 24", "Nov 25", "Nov 26", "Nov 27", "Nov 28", "Nov 29"]);
    expect(week.every((t) => t.secondary === null)).toBe(true);
    for (const t of week) expect(new Date(t.at).getHours() * 60 + new Date(t.at).getMinutes()).toBe(0);

    const month = timeAxis(now - 30 * DAY, now, 8, "ru");
    expect(month.length).toBeGreaterThanOrEqual(2);
    expect(month.length).toBeLessThanOrEqual(8);
    for (const t of month) expect(t.primary).toMatch(/^\d{1,2} [а-я]+\.?$/);
  });

  it("puts ticks on round local hours and never more than fit", () => {
    const from = local(2026, 3, 2, 9, 47);
    for (const maxTicks of [2, 3, 4, 5, 8, 12]) {
      for (const span of [DAY, 7 * DAY, 30 * DAY]) {
        const { ticks, stepMs } = timeTicks(from, from + span, maxTicks);
        expect(ticks.length).toBeGreaterThanOrEqual(1);
        expect(ticks.length).toBeLessThanOrEqual(maxTicks);
        for (const at of ticks) {
          expect(at).toBeGreaterThan(from);
          expect(at).toBeLessThan(from + span);
          const d = new Date(at);
          expect(d.getMinutes()).toBe(0);
          if (stepMs < DAY) expect(d.getHours() % (stepMs / HOUR >= 1 ? stepMs / HOUR : 1)).toBe(0);
          else expect(d.getHours()).toBe(0);
        }
      }
    }
  });

  it("labels a tick with its date only where the day changes", () => {
    const ticks = [local(2026, 5, 1, 18), local(2026, 5, 1, 21), local(2026, 5, 2, 0), local(2026, 5, 2, 3)];
    expect(labelTimeTicks(ticks, 3 * HOUR, "en").map((t) => t.secondary)).toEqual(["May 1", null, "May 2", null]);
  });
});
