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
import { ErrorResponse, KeyRequest, KeyResponse, RevokeResponse, TelegramIdParams, UserResponse } from "@/server/http/bot-api";
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

beforeAll(async () => {
  test = await createTestDatabase();
  fleet = await startSimulatedFleet(test.db, [{ name: "a", maxUsers: 1000 }]);
  const app = createTestAppContext(test.db, { env: { BOT_API_TOKEN: TOKEN, BOT_SIGNING_SECRET: SECRET }, overrides: { panelFor: fleet.panelFor } });
  postKey = keysRoute.POST.withApp(app);
  postRefresh = refreshRoute.POST.withApp(app);
  deleteKey = revokeRoute.DELETE.withApp(app);
  getUser = userRoute.GET.withApp(app);
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
    expect(RevokeResponse.parse(await revoked.json())).toEqual({ telegramId: 9100, revoked: true, removedFromPanel: true });
    const gone = await getUser(signedRequest("GET", "/api/bot/users/9100", ""), idParams("9100"));
    expect(gone.status).toBe(404);
    expect(ErrorResponse.parse(await gone.json()).code).toBe("NOT_FOUND");
  });

  it("answer fuzzed key bodies with 4xx or 200, never 5xx, and 400 exactly when the documented schema rejects", async () => {
    const telegramIdish = fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null), fc.bigInt().map(String), fc.integer({ min: 1, max: 2 ** 40 }));
    const body = fc.oneof(
      fc.string(),
      fc.json(),
      fc.record({ telegramId: telegramIdish, username: fc.oneof(fc.string(), fc.integer()), location: fc.oneof(fc.string({ maxLength: 80 }), fc.constant("")), strictLocation: fc.oneof(fc.boolean(), fc.string()) }, { requiredKeys: ["telegramId"] }).map((o) => JSON.stringify(o)),
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
        } else {
          // Valid but unplaceable (a strict location nobody has) is a 503; everything else gets a key.
          expect([200, 503]).toContain(response.status);
          if (response.status === 503) expect(valid.data.strictLocation && valid.data.location).toBeTruthy();
        }
      }),
      { numRuns: 80 },
    );
  });

  it("answer fuzzed path ids with 4xx, never 5xx, and 400 exactly when the documented schema rejects", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.nat().map(String), fc.constantFrom("0", "-1", "1e3", "99999999999999999", " 12")), async (id) => {
        const pathname = `/api/bot/users/${encodeURIComponent(id)}`;
        const response = await getUser(signedRequest("GET", pathname, ""), idParams(id));
        expect(response.status).toBeLessThan(500);
        expect(response.status === 400).toBe(!TelegramIdParams.safeParse({ telegramId: id }).success);
      }),
      { numRuns: 60 },
    );
  });

  it("leak no internal text in errors", async () => {
    await test.db.execute(sql`UPDATE nodes SET max_users = reserved_count`);
    const full = await postKeys(JSON.stringify({ telegramId: 9200 }));
    expect(full.status).toBe(503);
    expect(await full.json()).toEqual({ code: "NO_CAPACITY", message: "No node has room for a new key right now." });
    await test.db.execute(sql`UPDATE nodes SET max_users = 1000`);
  });
});
