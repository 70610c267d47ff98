import { describe, expect, it } from "vitest";
import { nodeColor, nodeHue } from "./node-color";

/** Sequential ids, the least random a database could hand out. */
const sequentialIds = (count: number) => Array.from({ length: count }, (_, i) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`);

describe("nodeColor", () => {
  it("is the same for the same id, every time, and names the theme's lightness and chroma", () => {
    const id = "3f0e9a5c-6b1d-4c8e-9a57-2d1f0b7c4e11";
    // Pinned: a change to the hash would recolour every operator's fleet between two releases.
    expect(nodeHue(id)).toBe(295.3);
    expect(nodeHue("00000000-0000-4000-8000-000000000000")).toBe(131.1);
    expect(nodeColor(id)).toBe("oklch(var(--node-l) var(--node-c) 295.3)");
  });

  it("does not depend on which other nodes exist or their order", () => {
    const ids = sequentialIds(14);
    const alone = ids.map(nodeColor);
    const reversed = [...ids].reverse().map(nodeColor).reverse();
    expect(reversed).toEqual(alone);
  });

  it("spreads sequential ids evenly over the hue circle", () => {
    const hues = sequentialIds(3600).map(nodeHue);
    const bins = Array.from({ length: 12 }, () => 0);
    for (const hue of hues) bins[Math.floor(hue / 30)]!++;
    // 300 expected per 30° bin; a poor hash of near-identical ids piles them into a few bins.
    for (const count of bins) {
      expect(count).toBeGreaterThan(240);
      expect(count).toBeLessThan(360);
    }
    expect(Math.min(...hues)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...hues)).toBeLessThan(360);
  });

  it("gives ids that differ in one character unrelated hues", () => {
    const ids = sequentialIds(200);
    const gaps = ids.slice(1).map((id, i) => {
      const d = Math.abs(nodeHue(id) - nodeHue(ids[i]!));
      return Math.min(d, 360 - d);
    });
    // Unrelated hues are 90° apart on average; neighbours of a weak hash sit a few degrees apart.
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThan(70);
    expect(gaps.filter((g) => g < 10).length).toBeLessThan(gaps.length * 0.1);
  });
});
