/**
 * The repository stands alone: no file points to documents outside it (a sibling folder of shared
 * notes, an absolute path to one, or a design document kept elsewhere); what a maintainer needs is in docs/.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// Spelled in pieces so this file does not match itself.
const OUTSIDE = new RegExp(["\\.\\./" + "shared", "/work/" + "shared", "shared design " + "document"].join("|"), "i");

function pointsOutside(text: string): string[] {
  return text.split("\n").filter((line) => OUTSIDE.test(line));
}

describe("the repository stands alone", () => {
  it("recognises each way of pointing outside", () => {
    expect(pointsOutside(["See ../" + "shared/DESIGN.md.", "ok line", "cat /work/" + "shared/STYLE.md", "the Shared Design " + "Document says"].join("\n"))).toHaveLength(3);
  });

  it("has no file, tracked or new, that points outside it", () => {
    const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
      .split("\0")
      .filter(Boolean);
    expect(files.length).toBeGreaterThan(100);
    const found: string[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch {
        continue; // listed but deleted in the work tree
      }
      if (text.includes("\0")) continue;
      for (const line of pointsOutside(text)) found.push(`${file}: ${line.trim()}`);
    }
    expect(found).toEqual([]);
  });
});
