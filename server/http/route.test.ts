import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { AppContext } from "@/server/composition/app-context";
import { AppError } from "@/server/errors";
import type { Logger } from "@/server/logger";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { route } from "./route";

let test: TestDatabase;
let app: AppContext;
const logged: { message: string; fields?: Record<string, unknown> }[] = [];
const recordingLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (message, fields) => void logged.push({ message, fields }),
};

beforeAll(async () => {
  test = await createTestDatabase();
  app = createTestAppContext(test.db, { overrides: { logger: recordingLogger } });
});
afterAll(async () => test.close());

const params = (value: Record<string, string> = {}) => ({ params: Promise.resolve(value) });
const post = (body: string) => new Request("http://fleet.test/x", { method: "POST", headers: { "content-type": "application/json" }, body });

describe("the route wrapper", () => {
  const echo = route("POST /x/{id}", { auth: "public", body: z.object({ n: z.number().int() }), params: z.object({ id: z.uuid() }) }, async ({ body, params: p }) =>
    Response.json({ n: body.n, id: p.id }),
  );
  const id = "00000000-0000-4000-8000-000000000001";

  it("hands the handler the validated body and params", async () => {
    const response = await echo.withApp(app)(post('{"n": 3}'), params({ id }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ n: 3, id });
  });

  it("answers 400 naming the field for a bad body, a malformed body and a bad param", async () => {
    const handler = echo.withApp(app);
    expect(await (await handler(post('{"n": 1.5}'), params({ id }))).json()).toMatchObject({ code: "BAD_REQUEST", fields: { n: expect.any(String) } });
    expect(await (await handler(post("{"), params({ id }))).json()).toMatchObject({ code: "BAD_REQUEST", fields: { body: "must be a JSON document" } });
    const badId = await handler(post('{"n": 1}'), params({ id: "nope" }));
    expect(badId.status).toBe(400);
    expect(await badId.json()).toMatchObject({ fields: { id: expect.any(String) } });
  });

  it("maps an AppError to its status and anything else to a logged 500 without internal text", async () => {
    const conflict = route("GET /c", { auth: "public" }, async () => {
      throw new AppError("IN_FLIGHT", "Another request for this user is running.");
    });
    const crash = route("GET /boom", { auth: "public" }, async () => {
      throw new Error("secret internal detail");
    });
    const refused = await conflict.withApp(app)(new Request("http://fleet.test/c"), params());
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({ code: "IN_FLIGHT", message: "Another request for this user is running." });

    logged.length = 0;
    const failed = await crash.withApp(app)(new Request("http://fleet.test/boom"), params());
    expect(failed.status).toBe(500);
    const text = await failed.text();
    expect(text).not.toContain("secret internal detail");
    expect(JSON.parse(text)).toEqual({ code: "INTERNAL", message: "Something went wrong on our side." });
    expect(logged).toEqual([{ message: "route handler failed", fields: { route: "GET /boom", error: expect.any(Error) } }]);
  });

  it("keeps cron routes off until CRON_SECRET is set, and asks for the bearer token after", async () => {
    const cron = route("GET /cron", { auth: "cron" }, async () => Response.json({ ran: true }));
    const off = await cron.withApp(app)(new Request("http://fleet.test/cron"), params());
    expect(off.status).toBe(503);
    const on = createTestAppContext(test.db, { env: { CRON_SECRET: "cron-secret-0123456789" } });
    const refused = await cron.withApp(on)(new Request("http://fleet.test/cron"), params());
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toContain("Bearer");
    const ran = await cron.withApp(on)(new Request("http://fleet.test/cron", { headers: { authorization: "Bearer cron-secret-0123456789" } }), params());
    expect(await ran.json()).toEqual({ ran: true });
  });

  it("answers 503 while the app context cannot be built, and logs why", async () => {
    logged.length = 0;
    const handler = route("GET /y", { auth: "public" }, async () => Response.json({ reached: true }));
    const response = await handler.withApp(() => Promise.reject(new Error("connect ECONNREFUSED")))(new Request("http://fleet.test/y"), params());
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ code: "UNAVAILABLE", message: "The service is starting or its database is not reachable." });
  });
});
