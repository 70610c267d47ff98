import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodes } from "@/server/db/schema";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import * as route from "./route";

const SECRET = "cron-secret-for-tests-0123456789";
let test: TestDatabase;

function ping(headers: Record<string, string> = {}, method = "GET") {
  return new Request("http://localhost/api/cron/health", { method, headers });
}

const noParams = { params: Promise.resolve({}) };

function withCronSecret(secret: string | undefined) {
  const app = createTestAppContext(test.db, { env: secret ? { CRON_SECRET: secret } : {} });
  return { GET: route.GET.withApp(app), POST: route.POST.withApp(app) };
}

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test?.close();
});

describe("/api/cron/health", () => {
  it("is off, in every environment, until CRON_SECRET is set", async () => {
    const response = await withCronSecret(undefined).GET(ping({ authorization: `Bearer ${SECRET}` }), noParams);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: "UNAVAILABLE", message: expect.stringContaining("CRON_SECRET") });
  });

  it("answers 401 without a token or with a wrong one", async () => {
    const handler = withCronSecret(SECRET);
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer wrong" }, { authorization: `Bearer ${SECRET}x` }, { authorization: SECRET }];
    for (const headers of attempts) {
      const response = await handler.GET(ping(headers), noParams);
      expect(response.status).toBe(401);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body.code).toBe("UNAUTHORIZED");
      expect(JSON.stringify(body)).not.toContain(SECRET);
    }
  });

  it("runs the sweep with the right token, by GET and by POST", async () => {
    const handler = withCronSecret(SECRET);
    for (const method of ["GET", "POST"] as const) {
      const response = await handler[method](ping({ authorization: `Bearer ${SECRET}` }, method), noParams);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { run: { steps: { name: string; status: string }[] } };
      // Every step of the run is wired and runs, in order.
      expect(body.run.steps.map(({ name, status }) => [name, status])).toEqual(
        ["health", "standby", "health-history", "traffic", "plans", "reconcile", "fleet-operations", "notifications", "bot-nonces", "rate-limits", "admin-sessions"].map((name) => [name, "ok"]),
      );
      expect(body).toMatchObject({
        checked: 0,
        healthy: 0,
        degraded: 0,
        unhealthy: 0,
        transitions: [],
        skipped: 0,
        inconclusive: false,
        durationMs: expect.any(Number),
      });
    }
  });

  it("leaves the health sweep room for a check: the steps after it do not reserve the time one check needs", async () => {
    // The e2e suite's panel timeout: a check needs it plus the sweep's write margin out of what the later steps leave.
    const app = createTestAppContext(test.db, { env: { CRON_SECRET: SECRET, HEALTH_TIMEOUT_MS: "1500" } });
    // A panel that refuses at once: the check fails fast, and it counts as checked.
    await test.db.insert(nodes).values({ name: "due-node", panelUrl: "http://127.0.0.1:9/", panelUsername: "admin", inboundId: 1 });
    const response = await route.GET.withApp(app)(ping({ authorization: `Bearer ${SECRET}` }), noParams);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ checked: 1, skipped: 0 });
  });
});
