import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-db";
import { openDatabase } from "./client";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { migrationsFolder, rowsOf, runMigrations } from "./migrate";
import { assignments, nodes, vpnUsers } from "./schema";

describe("migrations", () => {
  it("apply on embedded PGlite, and a second run applies nothing", async () => {
    const handle = await openDatabase({});
    try {
      const first = await runMigrations(handle.db);
      expect(first.applied).toBeGreaterThan(0);
      expect((await runMigrations(handle.db)).applied).toBe(0);
      const tables = rowsOf<{ tablename: string }>(
        await handle.db.execute(sql`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`),
      ).map((r) => r.tablename);
      expect(tables).toEqual(expect.arrayContaining(["admins", "nodes", "vpn_users", "assignments", "health_checks", "operations", "audit_log"]));
    } finally {
      await handle.close();
    }
  });

  it("run once when several replicas start at the same moment", async () => {
    const test = await createTestDatabase();
    try {
      // The template is already migrated; drop the bookkeeping so all five starters race to apply everything.
      await test.db.execute(sql`DROP SCHEMA public CASCADE; CREATE SCHEMA public; DROP SCHEMA drizzle CASCADE;`);
      const results = await Promise.all(Array.from({ length: 5 }, () => runMigrations(test.db)));
      const total = readMigrationFiles({ migrationsFolder: migrationsFolder() }).length;
      expect(results.map((r) => r.applied).sort()).toEqual([0, 0, 0, 0, total]);
    } finally {
      await test.close();
    }
  });
});

describe("schema constraints", () => {
  let test: TestDatabase;
  afterAll(async () => test?.close());

  async function seed() {
    test ??= await createTestDatabase();
    const [node] = await test.db
      .insert(nodes)
      .values({ name: `n-${Math.random()}`, panelUrl: "http://127.0.0.1:1/", inboundId: 1, maxUsers: 1 })
      .returning();
    const [user] = await test.db
      .insert(vpnUsers)
      .values({ telegramId: Math.floor(Math.random() * 1e12), subscriptionToken: `t-${Math.random()}` })
      .returning();
    return { node: node!, user: user! };
  }

  it("keep a node's reserved count within 0..max_users", async () => {
    const { node } = await seed();
    await expect(test.db.update(nodes).set({ reservedCount: 2 }).where(sql`id = ${node.id}`)).rejects.toThrow();
    await expect(test.db.update(nodes).set({ reservedCount: -1 }).where(sql`id = ${node.id}`)).rejects.toThrow();
    await test.db.update(nodes).set({ reservedCount: 1 }).where(sql`id = ${node.id}`);
  });

  it("allow one live assignment per user, any number of ended ones", async () => {
    const { node, user } = await seed();
    const row = (email: string, state: "pending" | "active" | "revoked") => ({
      userId: user.id,
      nodeId: node.id,
      inboundId: 1,
      clientId: crypto.randomUUID(),
      clientEmail: email,
      state,
    });
    await test.db.insert(assignments).values(row(`a-${user.id}`, "revoked"));
    await test.db.insert(assignments).values(row(`b-${user.id}`, "revoked"));
    await test.db.insert(assignments).values(row(`c-${user.id}`, "active"));
    await expect(test.db.insert(assignments).values(row(`d-${user.id}`, "pending"))).rejects.toThrow();
  });

  it("refuse a duplicate panel client email and a duplicate subscription token", async () => {
    const { node, user } = await seed();
    const base = { userId: user.id, nodeId: node.id, inboundId: 1, clientId: "x", state: "revoked" as const };
    await test.db.insert(assignments).values({ ...base, clientEmail: `dup-${user.id}` });
    await expect(test.db.insert(assignments).values({ ...base, clientEmail: `dup-${user.id}` })).rejects.toThrow();
    await expect(
      test.db.insert(vpnUsers).values({ telegramId: 1, subscriptionToken: user.subscriptionToken }),
    ).rejects.toThrow();
  });

  it("refuse zero or negative weight and priority", async () => {
    const { node } = await seed();
    await expect(test.db.update(nodes).set({ weight: 0 }).where(sql`id = ${node.id}`)).rejects.toThrow();
    await expect(test.db.update(nodes).set({ priority: -5 }).where(sql`id = ${node.id}`)).rejects.toThrow();
  });
});
