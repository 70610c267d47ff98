import { describe, expect, it } from "vitest";
import { isolatedPoints } from "./isolated-points";

describe("isolatedPoints", () => {
  it("finds a lone sample, samples between gaps, and nothing inside a run", () => {
    expect([...isolatedPoints([{ t: 1, a: 5 }], "a")]).toEqual([0]);
    const data = [{ t: 1, a: 5 }, { t: 2, a: null }, { t: 3, a: 7 }, { t: 4, a: 8 }, { t: 5 }, { t: 6, a: 1 }];
    expect([...isolatedPoints(data, "a")]).toEqual([0, 5]);
    expect([...isolatedPoints([{ t: 1, a: 0 }, { t: 2, a: 0 }], "a")]).toEqual([]);
  });
});
