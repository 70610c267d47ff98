/**
 * The database really going away — a TCP proxy in front of PostgreSQL that is cut or turned into
 * a black hole, backends terminated as a restart does, a statement over its limit — must surface
 * as a retryable 503 within seconds, never a 500 and never a hang (obs. 8 of the crash-safety
 * issue: 500s, some after 44 s).
 */
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { AppError, toAppError } from "@/server/errors";
import type { AppContext } from "@/server/composition/app-context";
import { route } from "@/server/http/route";
import { logger } from "@/server/logger";
import { startTcpProxy, type TcpProxy } from "@/server/testing/tcp-proxy";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { openDatabase, type DatabaseHandle } from "./client";
import { isDatabaseUnavailable } from "./unavailable";

let test: TestDatabase;
let proxy: TcpProxy;
let handle: DatabaseHandle;

beforeAll(async () => {
  test = await createTestDatabase();
  const url = new URL(test.url);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.host = `127.0.0.1:${proxy.port}`;
  handle = await openDatabase({ url: url.toString(), maxConnections: 3, connectTimeoutSeconds: 2, statementTimeoutMs: 1_000 });
});
afterEach(() => proxy.restore());
afterAll(async () => {
  await handle.close();
  await proxy.close();
  await test.close();
});

/** The error a query ends with, and how long it took to end. */
async function failing(run: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await run().then(
    () => new Error("expected the query to fail"),
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - started };
}

const ping = () => handle.db.execute(sql`SELECT 1`);

describe("an unreachable database is a retryable 503, quickly", () => {
  it("connections cut (a restart): the query fails at once as unavailable, and works again after", async () => {
    await ping();
    proxy.cut();
    const { error, ms } = await failing(ping);
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(ms).toBeLessThan(5_000);
    // What a route answers when its service hits this error.
    const handler = route("GET /test", { auth: "public" }, () => Promise.reject(error)).withApp({ logger } as AppContext);
    const response = await handler(new Request("http://fleet.test/test"), { params: Promise.resolve({}) });
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(await response.json()).toEqual({ code: "UNAVAILABLE", message: expect.any(String) as string });
    proxy.restore();
    await ping();
  });

  it("a host that swallows connections: the connect timeout ends the wait", async () => {
    await ping();
    proxy.blackhole();
    const { error, ms } = await failing(ping);
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(ms).toBeLessThan(5_000);
    expect(toAppError(error)).toMatchObject({ code: "UNAVAILABLE", httpStatus: 503 });
  });

  it("backends terminated mid-query (pg_terminate_backend, as a restart does) fail as unavailable; the next query reconnects", async () => {
    const admin = postgres(inject("testDatabaseUrl"), { max: 1, onnotice: () => {} });
    try {
      const slow = failing(() => handle.db.execute(sql`SELECT pg_sleep(0.8)`));
      await new Promise((r) => setTimeout(r, 200));
      await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${new URL(test.url).pathname.slice(1)} AND pid <> pg_backend_pid()`;
      const { error } = await slow;
      expect(isDatabaseUnavailable(error)).toBe(true);
      await ping();
    } finally {
      await admin.end();
    }
  });

  it("a connection lost inside a transaction fails it as unavailable and does not wedge the pool", async () => {
    const small = await openDatabase({ url: test.url, maxConnections: 1 });
    try {
      const { error } = await failing(() =>
        small.db.transaction(async (tx) => {
          await tx.execute(sql`SELECT 1`);
          await tx.execute(sql`SELECT pg_terminate_backend(pg_backend_pid())`);
        }),
      );
      expect(isDatabaseUnavailable(error)).toBe(true);
      // postgres.js alone leaves its only connection stuck here: the next query would never return.
      const next = await Promise.race([small.db.execute(sql`SELECT 2`).then(() => "answered"), new Promise((r) => setTimeout(() => r("stuck"), 3_000))]);
      expect(next).toBe("answered");
    } finally {
      await small.close();
    }
  });

  it("a transaction failing for another connection's loss (its own is alive) still fails, and rolls back", async () => {
    const small = await openDatabase({ url: test.url, maxConnections: 2 });
    try {
      const lost = Object.assign(new Error("another connection closed"), { code: "CONNECTION_CLOSED" });
      const { error } = await failing(() =>
        small.db.transaction(async (tx) => {
          await tx.execute(sql`CREATE TABLE rolled_back (x int)`);
          throw lost;
        }),
      );
      expect(error).toBe(lost);
      const rows = (await small.db.execute(sql`SELECT to_regclass('rolled_back') IS NOT NULL AS exists`)) as unknown as { exists: boolean }[];
      expect(rows[0]?.exists).toBe(false);
    } finally {
      await small.close();
    }
  }, 15_000);

  it("a statement over the limit is cancelled by the server and answered as unavailable", async () => {
    const { error, ms } = await failing(() => handle.db.execute(sql`SELECT pg_sleep(10)`));
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(ms).toBeLessThan(3_000);
  });

  it("a statement that is wrong stays what it is: an error of ours is not 'unavailable'", async () => {
    const { error } = await failing(() => handle.db.execute(sql`SELECT 1/0`));
    expect(isDatabaseUnavailable(error)).toBe(false);
    expect(toAppError(error).code).toBe("INTERNAL");
    expect(toAppError(new AppError("NOT_FOUND", "x")).code).toBe("NOT_FOUND");
  });
});
