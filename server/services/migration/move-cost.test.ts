/**
 * What a move costs the database. A failover's speed is its round trips (each statement waits for
 * the server, each commit for a WAL flush, and the writer of the target node is held across them),
 * so the statements of one move, and of the work around the moves, are pinned here: a change that
 * adds one shows up as a failing count, not as a slower bench nobody runs.
 */
import { and, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import * as schema from "@/server/db/schema";
import { assignments, moveRateBucket, nodes, operationItems, webhookDeliveries } from "@/server/db/schema";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import { settleStaleRetirements } from "@/server/services/keys/settle-in-flight";
import type { SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { fleetSuite } from "@/server/testing/fleet-suite";
import { createEvacuation } from "./evacuation";
import { migrateItem } from "./migrate-item";
import type { MigrationDeps } from "./migration-deps";
import { bucketCapacity, takeMoveTokens } from "./move-rate";

const suite = fleetSuite(["nodes", "vpn_users", "assignments", "events", "operations", "webhook_deliveries", "move_rate_bucket"], { maxConnections: 20 });

/** The suite's database through a pool of its own that records every statement sent, BEGIN and COMMIT included. */
async function withLoggedDb<T>(work: (db: Database, statements: string[]) => Promise<T>): Promise<T> {
  const statements: string[] = [];
  const client = postgres(suite.url(), {
    max: 10,
    onnotice: () => {},
    // A new connection's own catalogue read is the driver's, not the move's.
    debug: (_connection, query) => void (/pg_catalog/.test(query) ? null : statements.push(query.trim())),
  });
  const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Database;
  try {
    return await work(db, statements);
  } finally {
    await client.end();
  }
}

function deps(f: SimulatedFleet, db: Database): MigrationDeps {
  return {
    db,
    panelFor: f.panelFor,
    publicUrl: "https://fleet.example.com",
    clock: { now: () => new Date() },
    // As in production: the bot's webhook is queued in the activation's transaction.
    notifications: { webhook: { url: "http://127.0.0.1:9/bot", secret: "test-secret-0123456789" }, telegram: null },
  };
}

/** `users` users on `a`, which then dies; `b` and `c` take them. A failover operation lists them. */
async function failoverOfDeadNode(users: number): Promise<SimulatedFleet> {
  const f = await suite.start([{ name: "a" }, { name: "b", adminState: "disabled" }, { name: "c", adminState: "disabled" }], { timeoutMs: 500 });
  for (let i = 0; i < users; i++) await getOrCreateKey(deps(f, suite.db()), { telegramId: 9_000 + i });
  await suite.db().update(nodes).set({ adminState: "active" });
  await f.panel("a").faults.down();
  const [a] = await suite.db().update(nodes).set({ healthState: "unhealthy" }).where(eq(nodes.name, "a")).returning();
  await suite.db().transaction((tx) => createEvacuation(tx, { kind: "failover", nodeId: a?.id as string, startedBy: "system", reason: { code: "operation.reason.failover" } }, new Date()));
  return f;
}

describe("what a move costs the database", () => {
  it("a user moved off a dead node: 19 statements in two transactions and one for the writer's lease, and no call to the dead panel", async () => {
    const f = await failoverOfDeadNode(1);
    const [item] = await suite.db().select().from(operationItems);
    const outcome = await withLoggedDb((db, statements) => migrateItem(deps(f, db), item as NonNullable<typeof item>, "failover").then((o) => ({ o, statements })));
    expect(outcome.o).toMatchObject({ status: "succeeded", sourceCleaned: false });
    // The user with their key; the ranking; the claim (BEGIN, user lock, their keys, savepoint,
    // reservation, the standby check, pending row, item, COMMIT); the writer's lease; the activation
    // (BEGIN, old key revoking, new key active with the lease released, the item succeeded with its webhook queued, the old
    // node's place, COMMIT); the plan read back.
    expect(outcome.statements).toHaveLength(19);
    expect(outcome.statements.filter((q) => /^commit/i.test(q))).toHaveLength(2);
    expect(outcome.statements.filter((q) => /^update "nodes" set "mutation_lease_until"/i.test(q))).toHaveLength(1);
    expect(await suite.db().select({ status: operationItems.status }).from(operationItems)).toEqual([{ status: "succeeded" }]);
    expect(await suite.db().select({ event: webhookDeliveries.event }).from(webhookDeliveries)).toEqual([{ event: "key.moved" }]);
    // The old key is left for the reconciler at once (its node is down), its place given back.
    const [old] = await suite.db()
      .select({ settleIsDue: sql<boolean>`${assignments.settleBy} <= now()`, clientEmail: assignments.clientEmail })
      .from(assignments)
      .innerJoin(nodes, eq(nodes.id, assignments.nodeId))
      .where(and(eq(nodes.name, "a"), eq(assignments.state, "revoking")));
    expect(old?.settleIsDue).toBe(true);
    const lease = await suite.db().select({ owner: nodes.mutationLeaseOwner, reserved: nodes.reservedCount, name: nodes.name }).from(nodes).orderBy(nodes.name);
    expect(lease.map((n) => n.owner)).toEqual([null, null, null]);
    expect(lease.map((n) => n.reserved).reduce((s, n) => s + n, 0)).toBe(1);
    expect(lease.find((n) => n.name === "a")?.reserved).toBe(0);
    expect(f.panel("a").state.clients().map((c) => c.email)).toContain(old?.clientEmail);
  });

  it("the old keys left on a dead node cost the next pings one statement, however many users moved", async () => {
    const f = await failoverOfDeadNode(4);
    for (const item of await suite.db().select().from(operationItems)) await migrateItem(deps(f, suite.db()), item, "failover");
    const settled = await withLoggedDb((db, statements) => settleStaleRetirements(deps(f, db)).then((n) => ({ n, statements })));
    expect(settled).toMatchObject({ n: 0, statements: [expect.stringMatching(/^select/i)] });
    const revoking = await suite.db().select({ id: assignments.id }).from(assignments).where(eq(assignments.state, "revoking"));
    expect(revoking).toHaveLength(4);
  });

  it("a take from the rate bucket is one statement, and takers at once never get more than it holds", async () => {
    const perMinute = 60;
    await takeMoveTokens(suite.db(), 0, perMinute);
    const one = await withLoggedDb((db, statements) => takeMoveTokens(db, 1, perMinute).then((taken) => ({ taken, statements })));
    expect(one).toMatchObject({ taken: { granted: 1 }, statements: [expect.stringMatching(/^\s*update "move_rate_bucket"/i)] });
    await suite.db().update(moveRateBucket).set({ tokens: bucketCapacity(perMinute), refilledAt: sql`now()` });
    const takes = await withLoggedDb((db) => Promise.all(Array.from({ length: 8 }, () => takeMoveTokens(db, 3, perMinute))));
    const granted = takes.reduce((s, t) => s + t.granted, 0);
    // Ten in the bucket, and at one a second at most one more refilled while the takes ran.
    expect(granted).toBeGreaterThanOrEqual(bucketCapacity(perMinute));
    expect(granted).toBeLessThanOrEqual(bucketCapacity(perMinute) + 1);
    expect(takes.filter((t) => t.granted < 3).every((t) => t.waitMs > 0)).toBe(true);
  });
});
