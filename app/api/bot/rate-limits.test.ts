/**
 * Observation 11: nothing limited the bot API, so a leaked token could drain the fleet's capacity.
 * Per token and per telegram id (new keys only; a returning user's stored key costs nothing extra).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "@/server/composition/app-context";
import type { NextHandler } from "@/server/http/route";
import { startSimulatedFleet, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import * as refreshRoute from "./keys/refresh/route";
import * as keysRoute from "./keys/route";

const TOKEN = "bot-token-limits-0123456789";
let test: TestDatabase;
let fleet: SimulatedFleet;
const noParams = { params: Promise.resolve({}) };
const post = (path: string, body: unknown) =>
  new Request(`http://fleet.test${path}`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(body) });

beforeAll(async () => {
  test = await createTestDatabase();
  fleet = await startSimulatedFleet(test.db, [{ name: "a", maxUsers: 1000 }]);
});
afterAll(async () => {
  await fleet.close();
  await test.close();
});

function routes(env: Record<string, string>): { app: AppContext; postKey: NextHandler; postRefresh: NextHandler } {
  const app = createTestAppContext(test.db, { env: { BOT_API_TOKEN: TOKEN, ...env }, overrides: { panelFor: fleet.panelFor } });
  return { app, postKey: keysRoute.POST.withApp(app), postRefresh: refreshRoute.POST.withApp(app) };
}

describe("bot API rate limits", () => {
  it("refuses a token past its calls per minute with 429, Retry-After and the JSON error", async () => {
    const { app, postKey } = routes({ RATE_LIMIT_BOT_PER_MINUTE: "3", RATE_LIMIT_NEW_KEYS_PER_HOUR: "0" });
    for (let i = 0; i < 3; i++) expect((await postKey(post("/api/bot/keys", { telegramId: 7100 }), noParams)).status).toBe(200);
    const refused = await postKey(post("/api/bot/keys", { telegramId: 7100 }), noParams);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual({ code: "TOO_MANY_REQUESTS", message: "Too many requests with this bot token. Slow down." });
    expect(await app.metrics.render()).toMatch(/fleet_rate_limit_refusals_total\{[^}]*limiter="bot"[^}]*\} 1/);
  });

  it("limits new keys per telegram id, not a returning user's stored key", async () => {
    const { postKey, postRefresh } = routes({ RATE_LIMIT_BOT_PER_MINUTE: "0", RATE_LIMIT_NEW_KEYS_PER_HOUR: "2" });
    expect((await postKey(post("/api/bot/keys", { telegramId: 7200 }), noParams)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await postKey(post("/api/bot/keys", { telegramId: 7200 }), noParams)).status).toBe(200);
    expect((await postRefresh(post("/api/bot/keys/refresh", { telegramId: 7200 }), noParams)).status).toBe(200);
    const refused = await postRefresh(post("/api/bot/keys/refresh", { telegramId: 7200 }), noParams);
    expect(refused.status).toBe(429);
    expect((await refused.json()).code).toBe("TOO_MANY_REQUESTS");
    // Another user is not affected.
    expect((await postKey(post("/api/bot/keys", { telegramId: 7201 }), noParams)).status).toBe(200);
  });
});
