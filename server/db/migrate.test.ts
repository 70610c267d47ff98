import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
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
    // PGlite is PostgreSQL in WebAssembly: starting it and applying every migration takes tens of seconds on a busy machine.
  }, 120_000);

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

/** A copy of the migrations folder holding only those up to and including `lastTag`. */
function migrationsUpTo(lastTag: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "fleet-migrations-"));
  cpSync(migrationsFolder(), dir, { recursive: true });
  const journalFile = path.join(dir, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalFile, "utf8")) as { entries: { tag: string }[] };
  const last = journal.entries.findIndex((e) => e.tag === lastTag);
  writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, last + 1) }));
  return dir;
}

describe("migration 0003: one panel inbound is one node", () => {
  it("normalises the panel address in the database, and marks the younger copy of a panel inbound added twice", async () => {
    const handle = await openDatabase({});
    const before = migrationsUpTo("0002_events-by-node");
    try {
      await runMigrations(handle.db, before);
      const existing = [
        ["a", "https://Panel.Example.com/abc", 1, "2025-01-01"],
        ["a-copy", "https://panel.example.com:443/abc//", 1, "2025-02-01"],
        ["a-other-inbound", "https://panel.example.com/abc/", 2, "2025-03-01"],
        ["b", " HTTP://10.0.0.1:02053//x//y ", 1, "2025-01-01"],
        ["c", "http://[2001:DB8::1]:2053", 1, "2025-01-01"],
        ["d", "https://host.example.com./", 7, "2025-01-01"],
      ] as const;
      for (const [name, url, inbound, created] of existing) {
        await handle.db.execute(sql`INSERT INTO nodes (name, panel_url, inbound_id, created_at) VALUES (${name}, ${url}, ${inbound}, ${created})`);
      }
      await runMigrations(handle.db);
      const rows = rowsOf<{ name: string; panel_address: string; is_panel_duplicate: boolean }>(
        await handle.db.execute(sql`SELECT name, panel_address, is_panel_duplicate FROM nodes ORDER BY name`),
      );
      expect(rows).toEqual([
        { name: "a", panel_address: "https://panel.example.com:443/abc/", is_panel_duplicate: false },
        { name: "a-copy", panel_address: "https://panel.example.com:443/abc/", is_panel_duplicate: true },
        { name: "a-other-inbound", panel_address: "https://panel.example.com:443/abc/", is_panel_duplicate: false },
        { name: "b", panel_address: "http://10.0.0.1:2053/x/y/", is_panel_duplicate: false },
        { name: "c", panel_address: "http://[2001:db8::1]:2053/", is_panel_duplicate: false },
        { name: "d", panel_address: "https://host.example.com:443/", is_panel_duplicate: false },
      ]);
      // Whoever writes the row, the same panel inbound again is refused.
      const refused = await handle.db.execute(sql`INSERT INTO nodes (name, panel_url, inbound_id) VALUES ('e', 'HTTPS://panel.example.com/abc', 1)`).catch((e: Error) => e);
      expect(String((refused as Error).cause)).toMatch(/nodes_panel_inbound_uq/);
      await handle.db.execute(sql`INSERT INTO nodes (name, panel_url, inbound_id) VALUES ('f', 'https://panel.example.com/abc/', 3)`);
    } finally {
      rmSync(before, { recursive: true, force: true });
      await handle.close();
    }
  });
});

describe("schema constraints", () => {
  let test: TestDatabase;
  let seeded = 0;
  afterAll(async () => test?.close());

  async function seed() {
    test ??= await createTestDatabase();
    const [node] = await test.db
      .insert(nodes)
      .values({ name: `n-${Math.random()}`, panelUrl: `http://127.0.0.1:${++seeded}/`, inboundId: 1, maxUsers: 1 })
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

  it("allow one active and one pending (its replacement) assignment per user, any number of ended ones", async () => {
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
    await expect(test.db.insert(assignments).values(row(`d-${user.id}`, "active"))).rejects.toThrow();
    await test.db.insert(assignments).values(row(`e-${user.id}`, "pending"));
    await expect(test.db.insert(assignments).values(row(`f-${user.id}`, "pending"))).rejects.toThrow();
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
