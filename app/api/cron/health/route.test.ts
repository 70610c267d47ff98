import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";

const SECRET = "cron-secret-for-tests-0123456789";
let test: TestDatabase;

async function loadRoute(env: Record<string, string | undefined>) {
  vi.resetModules();
  vi.unstubAllEnvs();
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  return import("./route");
}

function ping(headers: Record<string, string> = {}, method = "GET") {
  return new Request("http://localhost/api/cron/health", { method, headers });
}

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  const { getDatabaseHandle } = await import("@/server/db");
  await (await getDatabaseHandle()).close();
  vi.unstubAllEnvs();
  await test?.close();
});

describe("/api/cron/health", () => {
  const baseEnv = () => ({
    DATABASE_URL: test.url,
    PANEL_SECRET_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    INTERNAL_CRON_SECONDS: "0",
  });

  it("is off, in every environment, until CRON_SECRET is set", async () => {
    const route = await loadRoute({ ...baseEnv(), CRON_SECRET: undefined });
    const response = await route.GET(ping({ authorization: `Bearer ${SECRET}` }));
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: "UNAVAILABLE", message: expect.stringContaining("CRON_SECRET") });
  });

  it("answers 401 without a token or with a wrong one", async () => {
    const route = await loadRoute({ ...baseEnv(), CRON_SECRET: SECRET });
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer wrong" }, { authorization: `Bearer ${SECRET}x` }, { authorization: SECRET }];
    for (const headers of attempts) {
      const response = await route.GET(ping(headers));
      expect(response.status).toBe(401);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body.code).toBe("UNAUTHORIZED");
      expect(JSON.stringify(body)).not.toContain(SECRET);
    }
  });

  it("runs the sweep with the right token, by GET and by POST", async () => {
    const route = await loadRoute({ ...baseEnv(), CRON_SECRET: SECRET });
    for (const method of ["GET", "POST"] as const) {
      const response = await route[method](ping({ authorization: `Bearer ${SECRET}` }, method));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        checked: 0,
        healthy: 0,
        degraded: 0,
        unhealthy: 0,
        transitions: [],
        skipped: 0,
        inconclusive: false,
        durationMs: expect.any(Number),
        run: {
          steps: expect.arrayContaining([
            expect.objectContaining({ name: "health", status: "ok" }),
            expect.objectContaining({ name: "health-history", status: "ok" }),
          ]),
        },
      });
    }
  });
});
