import { readFileSync } from "node:fs";
import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assignments, dailyCounts, operationItems, operations, vpnUsers, type PlacementReason } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { countAllTime, countPerDay, MOVE_METRICS } from "./daily-counts";

let test: TestDatabase;
let seq = 0;

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.close();
});
beforeEach(async () => {
  await test.db.execute(sql`TRUNCATE vpn_users, assignments, operations CASCADE`);
});

async function addUser(createdAt = new Date("2026-05-20T10:00:00Z")) {
  seq += 1;
  const [user] = await test.db.insert(vpnUsers).values({ telegramId: 5000 + seq, subscriptionToken: `t-${seq}`, createdAt }).returning();
  return user!;
}

async function addKey(userId: string, strategy: PlacementReason["strategy"] | null, createdAt = new Date("2026-05-20T10:00:00Z")) {
  seq += 1;
  await test.db.insert(assignments).values({
    userId,
    inboundId: 1,
    clientId: `c-${seq}`,
    clientEmail: `fleet-${seq}`,
    state: "failed",
    createdAt,
    placementReason: strategy ? { strategy, candidates: [], chosenNodeId: "n" } : null,
  });
}

async function perDay(metric: "users" | "keys", fromDay: string): Promise<Record<string, number>> {
  return Object.fromEntries((await countPerDay(test.db, [metric], fromDay)).map((row) => [row.day, row.n]));
}

const countedUsers = async () => (await test.db.select({ n: count() }).from(vpnUsers))[0]!.n;

describe("trigger-kept daily counts", () => {
  it("count users by the UTC day they were created, once however they are inserted", async () => {
    await addUser(new Date("2026-05-19T23:59:59Z"));
    await addUser(new Date("2026-05-20T00:00:00Z"));
    // The placement's upsert of a known user inserts nothing.
    await test.db
      .insert(vpnUsers)
      .values({ telegramId: 5000 + seq, subscriptionToken: "other" })
      .onConflictDoUpdate({ target: vpnUsers.telegramId, set: { updatedAt: sql`now()` } });
    await test.db.execute(sql`
      INSERT INTO vpn_users (telegram_id, subscription_token, created_at)
      SELECT 90000 + i, 'bulk-' || i, timestamptz '2026-05-18T12:00:00Z' + (i % 2) * interval '1 day' FROM generate_series(1, 10) AS i`);

    expect(await countAllTime(test.db, "users")).toBe(12);
    expect(await perDay("users", "2026-05-19")).toEqual({ "2026-05-19": 6, "2026-05-20": 1 });
    expect(await countAllTime(test.db, "users")).toBe(await countedUsers());
  });

  it("count issued keys and leave moves out: balancer, manual and unknown count, migration and rebalance do not", async () => {
    const user = await addUser();
    for (const strategy of ["balancer", "manual", "migration", "rebalance", null] as const) await addKey(user.id, strategy);
    expect(await countAllTime(test.db, "keys")).toBe(3);
  });

  it("take deleted rows off their day, cascades included, and start over on TRUNCATE", async () => {
    const kept = await addUser();
    const gone = await addUser(new Date("2026-05-01T08:00:00Z"));
    await addKey(kept.id, "balancer");
    await addKey(gone.id, "balancer", new Date("2026-05-01T08:00:00Z"));
    await test.db.delete(vpnUsers).where(eq(vpnUsers.id, gone.id));
    expect(await perDay("users", "2026-05-01")).toEqual({ "2026-05-01": 0, "2026-05-20": 1 });
    expect(await countAllTime(test.db, "keys")).toBe(1);

    await test.db.execute(sql`TRUNCATE vpn_users CASCADE`);
    expect(await test.db.select().from(dailyCounts)).toEqual([]);
  });

  it("stay exact under concurrent placements on many connections", async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        test.db.transaction(async (tx) => {
          const [user] = await tx.insert(vpnUsers).values({ telegramId: 70000 + i, subscriptionToken: `c-${i}` }).returning();
          await tx.insert(assignments).values({ userId: user!.id, inboundId: 1, clientId: `cc-${i}`, clientEmail: `fleet-cc-${i}`, state: "failed" });
        }),
      ),
    );
    expect(await countAllTime(test.db, "users")).toBe(40);
    expect(await countAllTime(test.db, "keys")).toBe(40);
    // Spread over shards rather than queued on one row.
    const shards = await test.db.selectDistinct({ shard: dailyCounts.shard }).from(dailyCounts).where(eq(dailyCounts.metric, "users"));
    expect(shards.length).toBeGreaterThan(1);
  });

  it("count users moved by the kind of operation, on the day the move succeeded, once", async () => {
    const ops = await test.db
      .insert(operations)
      .values((["failover", "drain", "rebalance", "migration", "reconcile"] as const).map((kind) => ({ kind, startedBy: "system" })))
      .returning();
    const at = new Date("2026-05-20T23:59:00Z");
    const items = await test.db
      .insert(operationItems)
      .values(ops.flatMap((op) => [{ operationId: op.id, status: "running" as const, updatedAt: at }, { operationId: op.id, status: "failed" as const, updatedAt: at }]))
      .returning();
    // Already succeeded when written (a plan recorded after the fact) counts too.
    await test.db.insert(operationItems).values({ operationId: ops[0]!.id, status: "succeeded", updatedAt: new Date("2026-05-19T10:00:00Z") });
    await test.db.update(operationItems).set({ status: "succeeded" }).where(eq(operationItems.status, "running"));
    // Touching a succeeded item again does not count it twice; a failed one is not a move.
    await test.db.update(operationItems).set({ status: "succeeded", updatedAt: new Date("2026-05-21T01:00:00Z") }).where(eq(operationItems.status, "succeeded"));
    expect(items).toHaveLength(10);
    const rows = await countPerDay(test.db, MOVE_METRICS, "2026-05-01");
    expect(Object.fromEntries(rows.map((row) => [`${row.metric} ${row.day}`, row.n]))).toEqual({
      "moves.failover 2026-05-19": 1,
      "moves.failover 2026-05-20": 1,
      "moves.drain 2026-05-20": 1,
      "moves.rebalance 2026-05-20": 1,
      "moves.migration 2026-05-20": 1,
    });
    await test.db.execute(sql`TRUNCATE operations CASCADE`);
    expect(await countPerDay(test.db, MOVE_METRICS, "2026-05-01")).toEqual([]);
  });

  it("are filled from the rows already there by the migration that adds them", async () => {
    const user = await addUser(new Date("2026-04-02T10:00:00Z"));
    await addKey(user.id, "balancer", new Date("2026-04-02T11:00:00Z"));
    await addKey(user.id, "migration", new Date("2026-04-03T11:00:00Z"));
    const [drain] = await test.db.insert(operations).values({ kind: "drain", startedBy: "system" }).returning();
    await test.db.insert(operationItems).values({ operationId: drain!.id, status: "succeeded", updatedAt: new Date("2026-04-02T12:00:00Z") });
    await test.db.delete(dailyCounts);
    const backfill = readFileSync("drizzle/0005_dashboard-scale.sql", "utf8")
      .split("--> statement-breakpoint")
      .map((statement) => statement.trim())
      .filter((statement) => /^(--[^\n]*\n)*INSERT INTO daily_counts/.test(statement));
    expect(backfill).toHaveLength(3);
    for (const statement of backfill) await test.db.execute(sql.raw(statement));
    expect(await perDay("users", "2026-04-01")).toEqual({ "2026-04-02": 1 });
    expect(await perDay("keys", "2026-04-01")).toEqual({ "2026-04-02": 1 });
    expect(await countPerDay(test.db, MOVE_METRICS, "2026-04-01")).toEqual([{ metric: "moves.drain", day: "2026-04-02", n: 1 }]);
  });
});
