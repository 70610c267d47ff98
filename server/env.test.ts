import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

const tempDir = () => mkdtempSync(path.join(tmpdir(), "fleet-env-"));

describe("parseEnv", () => {
  it("generates secrets once for the embedded database and reuses them on the next start", () => {
    const dir = tempDir();
    const first = parseEnv({ DATA_DIR: dir });
    const second = parseEnv({ DATA_DIR: dir });
    expect(first.isEmbeddedDb).toBe(true);
    expect(first.AUTH_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(first.PANEL_SECRET_KEYS).toMatch(/^k1:/);
    expect(second.AUTH_SECRET).toBe(first.AUTH_SECRET);
    expect(statSync(path.join(dir, "secrets.json")).mode & 0o777).toBe(0o600);
    expect(first.INTERNAL_CRON_SECONDS).toBe(30);
    expect(first.PUBLIC_URL).toBe("http://localhost:3000");
  });

  it("requires secrets in production with a real database, naming each missing one", () => {
    expect(() => parseEnv({ NODE_ENV: "production", DATABASE_URL: "postgres://u:p@db/fleet", DATA_DIR: tempDir() })).toThrow(
      /AUTH_SECRET, PANEL_SECRET_KEYS must be set in production/,
    );
  });

  it("names each invalid variable", () => {
    expect(() => parseEnv({ DATA_DIR: tempDir(), PORT: "99999", HEALTH_FALL: "0", DATABASE_URL: "mysql://x" })).toThrow(
      /PORT[\s\S]*DATABASE_URL[\s\S]*HEALTH_FALL/,
    );
    expect(() => parseEnv({ DATA_DIR: tempDir(), CRON_SECRET: "short" })).toThrow(/CRON_SECRET: must be at least 16/);
    expect(() => parseEnv({ DATA_DIR: tempDir(), METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN: must be at least 16/);
    expect(() => parseEnv({ DATA_DIR: tempDir(), INSTANCE_ID: "web 1" })).toThrow(/INSTANCE_ID: may hold letters/);
    expect(parseEnv({ DATA_DIR: tempDir(), INSTANCE_ID: "web-1.eu:3000" }).INSTANCE_ID).toBe("web-1.eu:3000");
  });

  it("treats empty strings as unset and turns the in-process cron off with a real database", () => {
    const env = parseEnv({ DATABASE_URL: "postgres://u:p@db/fleet", AUTH_SECRET: "x".repeat(32), PANEL_SECRET_KEYS: "k:a", BOT_API_TOKEN: "", PUBLIC_URL: "https://f.example.com/" });
    expect(env.BOT_API_TOKEN).toBeUndefined();
    expect(env.INTERNAL_CRON_SECONDS).toBe(0);
    expect(env.PUBLIC_URL).toBe("https://f.example.com");
  });
});
