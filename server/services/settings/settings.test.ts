import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appSettings } from "@/server/db/schema";
import { parseEnv } from "@/server/env";
import { createTestActor } from "@/server/testing/test-actor";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import type { Actor } from "../actor";
import { getSettings, getSettingsOrigins, settingsDefaultsFromEnv, updateSettings } from "./settings";

let test: TestDatabase;
let owner: Actor;
const env = parseEnv({ NODE_ENV: "test", AUTH_SECRET: "x".repeat(32), PANEL_SECRET_KEYS: "k", DATABASE_URL: "postgres://x@h/db", HEALTH_FALL: "5", ADMIN_USERNAME: "" });
const defaults = settingsDefaultsFromEnv(env);

beforeAll(async () => {
  test = await createTestDatabase();
  owner = await createTestActor(test.db, "owner");
});
afterAll(async () => test.close());

// Observation 9: Settings did not show that saved thresholds override the HEALTH_* variables.
describe("where each threshold comes from", () => {
  it("tells a set variable from a default, and a saved override from both", async () => {
    await test.db.delete(appSettings);
    expect(env.setVariables).toContain("HEALTH_FALL");
    expect(env.setVariables).not.toContain("HEALTH_RISE");
    expect(env.setVariables).not.toContain("ADMIN_USERNAME");
    const before = await getSettingsOrigins(test.db, defaults, env.setVariables);
    expect(before.origins.health.fall).toEqual({ source: "env", variable: "HEALTH_FALL", envValue: 5 });
    expect(before.origins.health.rise).toEqual({ source: "default", variable: "HEALTH_RISE", envValue: 2 });
    expect(before.savedBy.health).toBeNull();

    await updateSettings({ db: test.db, defaults }, owner, { health: { fall: 7 } });
    const after = await getSettingsOrigins(test.db, defaults, env.setVariables);
    expect(after.values.health.fall).toBe(7);
    expect(after.origins.health.fall).toEqual({ source: "saved", variable: "HEALTH_FALL", envValue: 5 });
    expect(after.savedBy.health).toMatchObject({ by: owner.username, at: expect.any(Date) });
  });

  it("drops a saved override on null, so the key follows its variable again", async () => {
    await test.db.delete(appSettings);
    await updateSettings({ db: test.db, defaults }, owner, { health: { fall: 7, rise: 4 } });
    await updateSettings({ db: test.db, defaults }, owner, { health: { fall: null } });
    const settings = await getSettings(test.db, defaults);
    expect(settings.health).toMatchObject({ fall: 5, rise: 4 });
    expect((await getSettingsOrigins(test.db, defaults, env.setVariables)).origins.health.fall.source).toBe("env");
  });

  it("reads numbers typed with a decimal comma, and refuses a fraction where a whole number is needed", async () => {
    await updateSettings({ db: test.db, defaults }, owner, { failover: { graceSeconds: " 900 " } });
    expect((await getSettings(test.db, defaults)).failover.graceSeconds).toBe(900);
    const error = await updateSettings({ db: test.db, defaults }, owner, { health: { rise: "1,5" } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "BAD_REQUEST", fields: { "health.rise": { code: "validation.integer" } } });
  });
});
