/**
 * Observation 1: bodies were read whole before the token was checked, with no limit. Each case
 * streams a body that would be 100 MB and counts the bytes the server pulled from it: nothing for
 * an unauthenticated caller, at most the cap (plus the chunk that crossed it) for an authenticated one.
 * Observation 10: unknown API paths and wrong methods answer JSON (404; 405 with Allow).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as apiFallback from "@/app/api/[...path]/route";
import * as keysRoute from "@/app/api/bot/keys/route";
import * as userRoute from "@/app/api/bot/users/[telegramId]/route";
import * as cronRoute from "@/app/api/cron/health/route";
import { handleTrpcRequest } from "@/server/api/http-handler";
import type { AppContext } from "@/server/composition/app-context";
import { createTestActor } from "@/server/testing/test-actor";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import type { Actor } from "@/server/services/actor";
import { BODY_LIMITS } from "./read-body";
import { route } from "./route";

const TOKEN = "bot-token-0123456789abcdef";
const HUNDRED_MB = 100 * 1024 * 1024;
const CHUNK = 64 * 1024;

let test: TestDatabase;
let app: AppContext;
let actor: Actor;

beforeAll(async () => {
  test = await createTestDatabase();
  app = createTestAppContext(test.db, { env: { BOT_API_TOKEN: TOKEN } });
  actor = await createTestActor(test.db, "admin");
});
afterAll(async () => test.close());

/** A body that would be `total` bytes, produced only as it is pulled; `pulled()` says how much was. */
function streamedBody(total: number) {
  let pulled = 0;
  const chunk = new Uint8Array(CHUNK).fill(0x20);
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulled >= total) return controller.close();
        pulled += CHUNK;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => pulled };
}

function post(url: string, body: ReadableStream<Uint8Array> | string, headers: Record<string, string> = {}): Request {
  return new Request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body, duplex: "half" } as RequestInit);
}

const noParams = { params: Promise.resolve({}) };

describe("bounded request bodies", () => {
  it("never reads an unauthenticated bot caller's body", async () => {
    const body = streamedBody(HUNDRED_MB);
    const response = await keysRoute.POST.withApp(app)(post("http://fleet.test/api/bot/keys", body.stream, { authorization: "Bearer wrong-token-0123456789" }), noParams);
    expect(response.status).toBe(401);
    expect(body.pulled()).toBe(0);
  });

  it("stops reading an authenticated bot body at 16 KiB and answers 413 JSON", async () => {
    const body = streamedBody(HUNDRED_MB);
    const response = await keysRoute.POST.withApp(app)(post("http://fleet.test/api/bot/keys", body.stream, { authorization: `Bearer ${TOKEN}` }), noParams);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ code: "PAYLOAD_TOO_LARGE", message: `The request body must be at most ${BODY_LIMITS.bot} bytes.` });
    expect(body.pulled()).toBeLessThanOrEqual(BODY_LIMITS.bot + CHUNK);
  });

  it("refuses a 5 MB valid JSON body (it used to be accepted) and a declared length over the cap without reading", async () => {
    const json = JSON.stringify({ telegramId: 1, username: "a", padding: "x".repeat(5 * 1024 * 1024) });
    const refused = await keysRoute.POST.withApp(app)(post("http://fleet.test/api/bot/keys", json, { authorization: `Bearer ${TOKEN}` }), noParams);
    expect(refused.status).toBe(413);

    const body = streamedBody(HUNDRED_MB);
    const declared = await keysRoute.POST.withApp(app)(
      post("http://fleet.test/api/bot/keys", body.stream, { authorization: `Bearer ${TOKEN}`, "content-length": String(HUNDRED_MB) }),
      noParams,
    );
    expect(declared.status).toBe(413);
    expect(body.pulled()).toBe(0);
  });

  it("reads no tRPC body without a session, and at most 1 MiB with one", async () => {
    const trpc = (who: Actor | null) => route("POST /api/trpc/*", { auth: "public" }, async ({ app: ctx, request }) => handleTrpcRequest(ctx, request, async () => who)).withApp(app);

    const anonymous = streamedBody(HUNDRED_MB);
    const refused = await trpc(null)(post("http://fleet.test/api/trpc/nodes.create", anonymous.stream), noParams);
    expect(refused.status).toBe(401);
    expect(anonymous.pulled()).toBe(0);

    const signedIn = streamedBody(HUNDRED_MB);
    const tooLarge = await trpc(actor)(post("http://fleet.test/api/trpc/nodes.create", signedIn.stream), noParams);
    expect(tooLarge.status).toBe(413);
    expect(signedIn.pulled()).toBeLessThanOrEqual(BODY_LIMITS.trpc + CHUNK);
  });

  it("still serves a signed-in admin's ordinary tRPC call", async () => {
    const trpc = route("GET /api/trpc/*", { auth: "public" }, async ({ app: ctx, request }) => handleTrpcRequest(ctx, request, async () => actor)).withApp(app);
    const response = await trpc(new Request("http://fleet.test/api/trpc/admins.me"), noParams);
    expect(response.status).toBe(200);
    expect(JSON.stringify(await response.json())).toContain(actor.username);
  });
});

describe("API misses are JSON", () => {
  it("answers an unknown path with a JSON 404 for every method", async () => {
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"] as const) {
      const response = await apiFallback[method](new Request(`http://fleet.test/api/bot/nope`, { method }), { params: Promise.resolve({ path: "bot/nope" }) });
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(await response.json()).toEqual({ code: "NOT_FOUND", message: "No API route at this path." });
    }
  });

  it("answers a wrong method with a JSON 405 naming the allowed ones", async () => {
    const getKeys = await keysRoute.GET(new Request("http://fleet.test/api/bot/keys"), noParams);
    expect(getKeys.status).toBe(405);
    expect(getKeys.headers.get("allow")).toBe("POST, OPTIONS");
    expect(await getKeys.json()).toEqual({ code: "METHOD_NOT_ALLOWED", message: "This path answers POST, OPTIONS only." });
    expect((await userRoute.DELETE(new Request("http://fleet.test/api/bot/users/1", { method: "DELETE" }), noParams)).headers.get("allow")).toBe("GET, PATCH, HEAD, OPTIONS");
    expect((await cronRoute.PUT(new Request("http://fleet.test/api/cron/health", { method: "PUT" }), noParams)).headers.get("allow")).toBe("GET, POST, HEAD, OPTIONS");
  });
});
