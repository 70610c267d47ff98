/**
 * /api/health/ready, its alias /api/ping and /api/health/live, with the database really going away:
 * the app's connections run through a TCP proxy in front of PostgreSQL that is cut (connections
 * reset, new ones refused, as in a restart) or black-holed (nothing answers), then restored.
 */
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/server/db/client";
import { latestMigration } from "@/server/db/migrate";
import { startTcpProxy, type TcpProxy } from "@/server/testing/tcp-proxy";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { withDatabase } from "@/server/testing/test-db-url";
import { GET as live } from "./live/route";
import { GET as ready } from "./ready/route";
import { GET as ping } from "../ping/route";

let test: TestDatabase;
let proxy: TcpProxy;
let viaProxy: DatabaseHandle;

beforeAll(async () => {
  test = await createTestDatabase();
  const target = new URL(test.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const proxied = new URL(test.url);
  proxied.host = `127.0.0.1:${proxy.port}`;
  viaProxy = await openDatabase({ url: proxied.toString(), maxConnections: 4 });
});
afterAll(async () => {
  await viaProxy.close().catch(() => {});
  await proxy.close();
  await test.close();
});

const noParams = { params: Promise.resolve({}) };
const probe = (path: string) => new Request(`http://fleet.test${path}`);
const readyOn = (db: DatabaseHandle["db"]) => ready.withApp(createTestAppContext(db));

describe("readiness and liveness", () => {
  it("is ready while the database answers and has every migration, and /api/ping says the same", async () => {
    const response = await readyOn(viaProxy.db)(probe("/api/health/ready"), noParams);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready", database: { latencyMs: expect.any(Number) }, migrations: { latest: latestMigration(), applied: latestMigration() } });
    const alias = await ping.withApp(createTestAppContext(viaProxy.db))(probe("/api/ping"), noParams);
    expect(alias.status).toBe(200);
  });

  it("is not ready while the database is cut off, stays live, and is ready again when it is back", async () => {
    proxy.cut();
    const down = await readyOn(viaProxy.db)(probe("/api/health/ready"), noParams);
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toBe("5");
    expect(await down.json()).toEqual({ code: "UNAVAILABLE", message: "Not ready: the database is not reachable." });
    const alive = live();
    expect(alive.status).toBe(200);
    expect(await alive.json()).toMatchObject({ status: "live" });

    proxy.restore();
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
      status = (await readyOn(viaProxy.db)(probe("/api/health/ready"), noParams)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });

  it("is not ready when the newest migration is not recorded, or none is", async () => {
    const newest = latestMigration();
    await test.db.execute(sql`UPDATE drizzle.__drizzle_migrations SET created_at = created_at - 1 WHERE created_at = ${newest}`);
    const behind = await readyOn(test.db)(probe("/api/health/ready"), noParams);
    expect(behind.status).toBe(503);
    expect(((await behind.json()) as { message: string }).message).toBe(`Not ready: the database has not recorded the newest migration (${newest}); it has ${newest - 1}.`);
    await test.db.execute(sql`UPDATE drizzle.__drizzle_migrations SET created_at = ${newest} WHERE created_at = ${newest - 1}`);
    expect((await readyOn(test.db)(probe("/api/health/ready"), noParams)).status).toBe(200);

    const name = `fleet_unmigrated_${Date.now()}`;
    const admin = postgres(test.url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const empty = await openDatabase({ url: withDatabase(test.url, name), maxConnections: 1 });
    try {
      const response = await readyOn(empty.db)(probe("/api/health/ready"), noParams);
      expect(response.status).toBe(503);
      expect(((await response.json()) as { message: string }).message).toContain("it has none");
    } finally {
      await empty.close();
      await admin.unsafe(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it("answers within its timeout when the database stops answering altogether", async () => {
    // Open connections are reset (the first probe may see that); new ones connect and hear nothing.
    proxy.blackhole();
    const messages: string[] = [];
    for (let attempt = 0; attempt < 3 && !messages.at(-1)?.includes("did not answer"); attempt++) {
      const response = await readyOn(viaProxy.db)(probe("/api/health/ready"), noParams);
      expect(response.status).toBe(503);
      messages.push(((await response.json()) as { message: string }).message);
    }
    expect(messages.at(-1)).toBe("Not ready: the database did not answer within 2000 ms.");
  });
});
