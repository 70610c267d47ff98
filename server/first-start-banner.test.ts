import { describe, expect, it } from "vitest";
import { firstStartBanner } from "./first-start-banner";

// Observation 9: the first start printed `npm run admin -- reset-password` without the username, and
// the owner's password line was lost among JSON log lines.
describe("firstStartBanner", () => {
  it("frames the URL, username, password and the exact reset command in one block", () => {
    const banner = firstStartBanner({ url: "http://localhost:3000", username: "root", generatedPassword: "s3cret-generated-pw" });
    const lines = banner.trim().split("\n");
    expect(lines[0]).toMatch(/^╔═+╗$/);
    expect(lines.at(-1)).toMatch(/^╚═+╝$/);
    // Every line of the frame is as wide as the top, so the block reads as one.
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
    expect(banner).toContain("Dashboard  http://localhost:3000");
    expect(banner).toContain("Username   root");
    expect(banner).toContain("Password   s3cret-generated-pw");
    expect(banner).toContain("npm run admin -- reset-password root");
    // Blank lines around it keep it apart from the JSON log lines.
    expect(banner.startsWith("\n")).toBe(true);
    expect(banner.endsWith("\n\n")).toBe(true);
  });

  it("points at ADMIN_PASSWORD when the password came from there", () => {
    const banner = firstStartBanner({ url: "https://fleet.example.com", username: "admin", generatedPassword: null });
    expect(banner).toContain("Password   the one in ADMIN_PASSWORD");
    expect(banner).not.toContain("shown only now");
  });
});
