/**
 * The bot routes end to end (handler → auth → service → PostgreSQL + simulated panels), with
 * BOT_SIGNING_SECRET set: authentication, replay refusal, fuzzed bodies and the documented shapes.
 */
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBotRequest } from "@/server/http/bot-auth";
import type { NextHandler } from "@/server/http/route";
import { ErrorResponse, KeyRequest, KeyResponse, RevokeResponse, TelegramIdParams, UserPlanResponse, UserResponse } from "@/server/http/bot-api";
import { startSimulatedFleet, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import * as revokeRoute from "./keys/[telegramId]/route";
import * as refreshRoute from "./keys/refresh/route";
import * as keysRoute from "./keys/route";
import * as userRoute from "./users/[telegramId]/route";

const TOKEN = "bot-token-0123456789abcdef";
const SECRET = "signing-secret-0123456789";
const BASE = "http://fleet.test";

let test: TestDatabase;
let fleet: SimulatedFleet;
let postKey: NextHandler;
let postRefresh: NextHandler;
let deleteKey: NextHandler;
let getUser: NextHandler;
let patchUser: NextHandler;

beforeAll(async () => {
  test = await createTestDatabase();
  fleet = await startSimulatedFleet(test.db, [{ name: "a", maxUsers: 1000 }]);
  const app = createTestAppContext(test.db, { env: { BOT_API_TOKEN: TOKEN, BOT_SIGNING_SECRET: SECRET }, overrides: { panelFor: fleet.panelFor } });
  postKey = keysRoute.POST.withApp(app);
  postRefresh = refreshRoute.POST.withApp(app);
  deleteKey = revokeRoute.DELETE.withApp(app);
  getUser = userRoute.GET.withApp(app);
  patchUser = userRoute.PATCH.withApp(app);
});
afterAll(async () => {
  await fleet.close();
  await test.close();
});

type Options = { token?: string | null; sign?: boolean; headers?: Record<string, string> };

function signedRequest(method: string, pathname: string, body: string, options: Options = {}): Request {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const token = options.token === undefined ? TOKEN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.sign !== false) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(16).toString("hex");
    headers["x-signature-timestamp"] = timestamp;
    headers["x-signature-nonce"] = nonce;
    headers["x-signature"] = signBotRequest(SECRET, { timestamp, nonce, method, path: pathname, body });
  }
  return new Request(`${BASE}${pathname}`, { method, headers: { ...headers, ...options.headers }, body: method === "GET" || method === "DELETE" ? undefined : body });
}

const noParams = { params: Promise.resolve({}) as Promise<Record<string, never>> };
const idParams = (telegramId: string) => ({ params: Promise.resolve({ telegramId }) });

async function postKeys(body: string, options?: Options) {
  return postKey(signedRequest("POST", "/api/bot/keys", body, options), noParams);
}

describe("bot route authentication", () => {
  it("refuses a missing or wrong bearer token on every route", async () => {
    for (const token of [null, "wrong-token-0123456789"]) {
      const responses = await Promise.all([
        postKeys(JSON.stringify({ telegramId: 1 }), { token }),
        postRefresh(signedRequest("POST", "/api/bot/keys/refresh", JSON.stringify({ telegramId: 1 }), { token }), noParams),
        deleteKey(signedRequest("DELETE", "/api/bot/keys/1", "", { token }), idParams("1")),
        getUser(signedRequest("GET", "/api/bot/users/1", "", { token }), idParams("1")),
      ]);
      for (const response of responses) {
        expect(response.status).toBe(401);
        expect(ErrorResponse.parse(await response.json()).code).toBe("UNAUTHORIZED");
      }
    }
  });

  it("refuses unsigned, stale, forged, re-targeted and replayed requests", async () => {
    const body = JSON.stringify({ telegramId: 9001 });
    expect((await postKeys(body, { sign: false })).status).toBe(401);
    const stale = String(Math.floor(Date.now() / 1000) - 301);
    const staleSig = signBotRequest(SECRET, { timestamp: stale, nonce: "n".repeat(16), method: "POST", path: "/api/bot/keys", body });
    expect((await postKeys(body, { headers: { "x-signature-timestamp": stale, "x-signature-nonce": "n".repeat(16), "x-signature": staleSig } })).status).toBe(401);
    expect((await postKeys(body, { headers: { "x-signature": "0".repeat(64) } })).status).toBe(401);

    // A signature made for GET /api/bot/users/9001 does not authorize DELETE /api/bot/keys/9001.
    const read = signedRequest("GET", "/api/bot/users/9001", "");
    const retargeted = new Request(`${BASE}/api/bot/keys/9001`, { method: "DELETE", headers: read.headers });
    expect((await deleteKey(retargeted, idParams("9001"))).status).toBe(401);

    const original = signedRequest("POST", "/api/bot/keys", body);
    const replay = new Request(original.url, { method: "POST", headers: original.headers, body });
    expect((await postKey(original, noParams)).status).toBe(200);
    const replayed = await postKey(replay, noParams);
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toEqual({ code: "UNAUTHORIZED", message: "This request was already received." });
  });
});

describe("bot routes", () => {
  it("serve the documented shapes: create, read, refresh, revoke, then 404", async () => {
    const created = await postKeys(JSON.stringify({ telegramId: 9100, username: "bob", location: "NL" }));
    expect(created.status).toBe(200);
    const key = KeyResponse.parse(await created.json());
    const again = KeyResponse.parse(await (await postKeys(JSON.stringify({ telegramId: 9100 }))).json());
    expect(again).toEqual(key);

    const user = UserResponse.parse(await (await getUser(signedRequest("GET", "/api/bot/users/9100", ""), idParams("9100"))).json());
    expect(user).toEqual({ ...key, username: "bob" });

    const refreshed = KeyResponse.parse(
      await (await postRefresh(signedRequest("POST", "/api/bot/keys/refresh", JSON.stringify({ telegramId: 9100 })), noParams)).json(),
    );
    expect(refreshed.key).not.toBe(key.key);
    expect(refreshed.subscriptionUrl).toBe(key.subscriptionUrl);

    const revoked = await deleteKey(signedRequest("DELETE", "/api/bot/keys/9100", ""), idParams("9100"));
    expect(RevokeResponse.parse(await revoked.json())).toEqual({ telegramId: 9100, revoked: true, removedFromPanel: true, disabledOnPanel: false });
    const gone = await getUser(signedRequest("GET", "/api/bot/users/9100", ""), idParams("9100"));
    expect(gone.status).toBe(404);
    expect(ErrorResponse.parse(await gone.json()).code).toBe("NOT_FOUND");
  });

  it("answer fuzzed key bodies with 4xx or 200, never 5xx, and 400 exactly when the documented schema rejects", async () => {
    const telegramIdish = fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null), fc.bigInt().map(String), fc.integer({ min: 1, max: 2 ** 40 }));
    const body = fc.oneof(
      fc.string(),
      fc.json(),
      fc
        .record(
          {
            telegramId: telegramIdish,
            username: fc.oneof(fc.string(), fc.integer()),
            location: fc.oneof(fc.string({ maxLength: 80 }), fc.constant("")),
            strictLocation: fc.oneof(fc.boolean(), fc.string()),
            expiresAt: fc.oneof(fc.constant(null), fc.constant("2099-01-01T00:00:00Z"), fc.constant("2001-01-01T00:00:00Z"), fc.string()),
            trafficLimitBytes: fc.oneof(fc.constant(null), fc.integer(), fc.double(), fc.string()),
            deviceLimit: fc.oneof(fc.constant(null), fc.integer({ min: -5, max: 2000 })),
          },
          { requiredKeys: ["telegramId"] },
        )
        .map((o) => JSON.stringify(o)),
    );
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const response = await postKeys(raw);
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          parsed = Symbol("malformed");
        }
        const valid = KeyRequest.safeParse(parsed);
        if (!valid.success) {
          expect(response.status).toBe(400);
          expect(ErrorResponse.parse(await response.json()).code).toBe("BAD_REQUEST");
        } else if (valid.data.expiresAt && valid.data.expiresAt.getTime() < Date.now()) {
          // A valid date in the past: refused by the service, naming the field.
          expect(response.status).toBe(400);
          expect(ErrorResponse.parse(await response.json()).fields).toEqual({ expiresAt: "must be in the future" });
        } else {
          // Valid but unplaceable (a strict location no node is in) is a 422; everything else gets a key.
          expect([200, 422]).toContain(response.status);
          if (response.status === 422) expect(valid.data.strictLocation && valid.data.location).toBeTruthy();
        }
      }),
      { numRuns: 80 },
    );
  });

  it("answer fuzzed path ids with 4xx, never 5xx, and 400 exactly when the documented schema rejects", async () => {
    // "." and ".." are dot segments: URL parsing removes them, so the route never sees them as an id.
    const pathId = fc.string().filter((s) => s !== "." && s !== "..");
    await fc.assert(
      fc.asyncProperty(fc.oneof(pathId, fc.nat().map(String), fc.constantFrom("0", "-1", "1e3", "99999999999999999", " 12")), async (id) => {
        const pathname = `/api/bot/users/${encodeURIComponent(id)}`;
        const response = await getUser(signedRequest("GET", pathname, ""), idParams(id));
        expect(response.status).toBeLessThan(500);
        expect(response.status === 400).toBe(!TelegramIdParams.safeParse({ telegramId: id }).success);
      }),
      { numRuns: 60 },
    );
  });

  it("sell a 30-day, 50 GB plan: the key carries it, the bot reads it back, extends it, resets the period and switches the user off and on", async () => {
    const expiresAt = new Date(Date.now() + 30 * 86_400_000);
    const quota = 50 * 2 ** 30;
    const sold = await postKeys(JSON.stringify({ telegramId: 9300, username: "carol", expiresAt: expiresAt.toISOString(), trafficLimitBytes: quota, deviceLimit: 2 }));
    expect(sold.status).toBe(200);
    const key = KeyResponse.parse(await sold.json());
    expect(key).toMatchObject({
      status: "active",
      plan: { expiresAt: expiresAt.toISOString(), trafficLimitBytes: quota, deviceLimit: 2, disabled: false },
      usage: { uploadBytes: 0, downloadBytes: 0, usedBytes: 0, remainingBytes: quota },
    });
    const client = fleet.panel("a").state.clients().find((c) => String(c.email).startsWith("fleet-9300-"));
    expect(client).toMatchObject({ totalGB: quota, expiryTime: expiresAt.getTime(), limitIp: 2, enable: true });
    expect(UserResponse.parse(await (await getUser(signedRequest("GET", "/api/bot/users/9300", ""), idParams("9300"))).json())).toEqual({ ...key, username: "carol" });

    const patch = (body: unknown, id = "9300") => patchUser(signedRequest("PATCH", `/api/bot/users/${id}`, JSON.stringify(body)), idParams(id));
    const extended = UserPlanResponse.parse(await (await patch({ extendDays: 30, resetTraffic: true })).json());
    expect(extended).toMatchObject({ status: "active", syncedToPanels: true, plan: { expiresAt: new Date(expiresAt.getTime() + 30 * 86_400_000).toISOString() } });
    expect(UserPlanResponse.parse(await (await patch({ disabled: true })).json())).toMatchObject({ status: "disabled", plan: { disabled: true } });
    expect(fleet.panel("a").state.findClient(String(client?.email))?.client.enable).toBe(false);
    // A disabled user gets no key from POST, until the bot switches them back on.
    expect((await postKeys(JSON.stringify({ telegramId: 9300 }))).status).toBe(403);
    expect(UserPlanResponse.parse(await (await patch({ disabled: false, trafficLimitBytes: null })).json())).toMatchObject({ status: "active", plan: { trafficLimitBytes: null }, usage: { remainingBytes: null } });

    // Selling more to an existing user through POST changes the plan too.
    const more = KeyResponse.parse(await (await postKeys(JSON.stringify({ telegramId: 9300, trafficLimitBytes: 2 * quota }))).json());
    expect(more).toMatchObject({ key: key.key, plan: { trafficLimitBytes: 2 * quota } });
  });

  it("refuse a bad plan with 400 naming each field, an unknown user with 404, and answer PATCH to other methods with 405", async () => {
    const patch = (body: string, id = "9300") => patchUser(signedRequest("PATCH", `/api/bot/users/${id}`, body), idParams(id));
    const bad = await patch(JSON.stringify({ trafficLimitBytes: -5, deviceLimit: 1.5, expiresAt: "soon" }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      code: "BAD_REQUEST",
      message: "Some fields are invalid.",
      fields: { trafficLimitBytes: "must be greater than 0", deviceLimit: "must be a whole number", expiresAt: "has the wrong format" },
    });
    const past = await patch(JSON.stringify({ expiresAt: "2001-01-01T00:00:00Z" }));
    expect((await past.json()) as unknown).toMatchObject({ fields: { expiresAt: "must be in the future" } });
    expect(((await (await patch("{}")).json()) as { fields: unknown }).fields).toEqual({ body: "names nothing to change" });
    expect(((await (await patch(JSON.stringify({ expiresAt: "2099-01-01T00:00:00Z", extendDays: 3 }))).json()) as { fields: unknown }).fields).toEqual({
      extendDays: "cannot be combined with expiresAt",
    });
    const unknown = await patch(JSON.stringify({ disabled: true }), "424242");
    expect(unknown.status).toBe(404);
    expect(ErrorResponse.parse(await unknown.json())).toEqual({ code: "NOT_FOUND", message: "No such user." });
    const wrong = await userRoute.POST(new Request(`${BASE}/api/bot/users/1`, { method: "POST" }), idParams("1"));
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toContain("PATCH");
  });

  it("tell a location no node is in (422, naming the locations there are) from a location without room (503)", async () => {
    await test.db.execute(sql`UPDATE nodes SET location = 'NL'`);
    const mars = await postKeys(JSON.stringify({ telegramId: 9400, location: "Mars", strictLocation: true }));
    expect(mars.status).toBe(422);
    const message = "No node is in the location “Mars”. Locations: NL.";
    expect(await mars.json()).toEqual({ code: "NO_NODE_IN_LOCATION", message, fields: { location: message } });
    // Not strict: another location is the fallback.
    expect((await postKeys(JSON.stringify({ telegramId: 9401, location: "Mars" }))).status).toBe(200);

    await test.db.execute(sql`UPDATE nodes SET max_users = reserved_count`);
    const full = await postKeys(JSON.stringify({ telegramId: 9402, location: "nl", strictLocation: true }));
    expect(full.status).toBe(503);
    expect(await full.json()).toEqual({ code: "NO_CAPACITY", message: "No node in “nl” has room for a new key right now." });
    await test.db.execute(sql`UPDATE nodes SET max_users = 1000, location = NULL`);
    const nowhere = await postKeys(JSON.stringify({ telegramId: 9403, location: "Mars", strictLocation: true }));
    expect(await nowhere.json()).toMatchObject({ code: "NO_NODE_IN_LOCATION", message: "No node is in the location “Mars”, and no node has a location set." });
  });

  it("leak no internal text in errors", async () => {
    await test.db.execute(sql`UPDATE nodes SET max_users = reserved_count`);
    const full = await postKeys(JSON.stringify({ telegramId: 9200 }));
    expect(full.status).toBe(503);
    expect(await full.json()).toEqual({ code: "NO_CAPACITY", message: "No node has room for a new key right now." });
    await test.db.execute(sql`UPDATE nodes SET max_users = 1000`);
  });
});
