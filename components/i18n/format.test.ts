import { describe, expect, it } from "vitest";
import { readLocaleNumber } from "@/server/services/input-number";
import { formatInputNumber, formatNumber } from "./format";

describe("formatInputNumber", () => {
  it("writes a fraction with the locale's decimal mark: 1,5 in Russian, 1.5 in English", () => {
    expect(formatInputNumber("ru", 1.5)).toBe("1,5");
    expect(formatInputNumber("en", 1.5)).toBe("1.5");
    expect(formatInputNumber("ru", 0.25)).toBe("0,25");
  });

  it("never groups thousands, which the server would not read back", () => {
    expect(formatInputNumber("ru", 12500)).toBe("12500");
    expect(formatInputNumber("en", 12500)).toBe("12500");
    // What a display shows ("12,500", "12 500") is not what a field may hold.
    expect(formatNumber("en", 12500)).toBe("12,500");
  });

  it("round-trips through the server's reading of a typed number", () => {
    for (const locale of ["en", "ru"] as const) {
      for (const value of [1, 1.5, 0.125, 3.75, 250]) expect(readLocaleNumber(formatInputNumber(locale, value))).toBe(value);
    }
  });
});
