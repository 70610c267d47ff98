/**
 * Failover that finishes: moves at a rate shared by every replica rather than a batch per ping, and
 * across crashes — two replicas on one database (keys/testing/replica.ts), one of them dying at
 * every step of a move. The invariants are checked before any reconcile: nobody is left on the dead
 * node, nobody was given up on for being interrupted, every user has exactly one working key.
 */
import { and, count, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { assignments, nodes, operationItems, operations } from "@/server/db/schema";
import { systemClock } from "@/server/services/clock";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import { inFlightDeadlineMs, type KeyStep } from "@/server/services/keys/key-deps";
import { expireInFlight, findInvariantViolations } from "@/server/services/keys/testing/invariants";
import type { Replica } from "@/server/services/keys/testing/replica";
import { replicaSuite } from "@/server/testing/replica-suite";
import type { SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { OPERATION_LEASE_MS } from "./evacuation";
import type { FleetOperationDeps } from "./migration-deps";
import { bucketCapacity } from "./move-rate";
import { runFleetOperations } from "./run-fleet-operations";

const suite = replicaSuite(["nodes", "vpn_users", "assignments", "events", "operations", "move_rate_bucket"]);

function fleetDeps(r: Replica, maxMovesPerMinute = 6_000): FleetOperationDeps {
  return {
    ...r.deps,
    clock: systemClock,
    notifications: { webhook: null, telegram: null },
    failover: { graceSeconds: 0, maxMovesPerMinute, autoReturnToService: true },
  };
}

/** Users on the `dead` nodes (the only ones open while they arrive), then those die: their panels stop and they are declared down. */
async function deadNodeWithUsers(users: number, dead: string[] = ["a"]): Promise<{ f: SimulatedFleet; a: Replica; b: Replica }> {
  const names = [...new Set([...dead, "a", "b", "c"])];
  const { f: fleet, a, b } = await suite.start(
    names.map((name) => ({ name, adminState: dead.includes(name) ? ("active" as const) : ("disabled" as const) })),
    { timeoutMs: 1_000 },
  );
  for (let i = 0; i < users; i++) await getOrCreateKey(b.deps, { telegramId: 8_000 + i });
  await suite.db().update(nodes).set({ adminState: "active" });
  for (const name of dead) {
    await fleet.panel(name).faults.down();
    await suite.db().update(nodes).set({ healthState: "unhealthy", healthChangedAt: sql`now() - interval '1 hour'` }).where(eq(nodes.name, name));
  }
  return { f: fleet, a, b };
}

async function activeOn(name: string): Promise<number> {
  const [row] = await suite.db()
    .select({ n: count() })
    .from(assignments)
    .innerJoin(nodes, eq(nodes.id, assignments.nodeId))
    .where(and(eq(nodes.name, name), eq(assignments.state, "active")));
  return row?.n ?? 0;
}

async function itemStatuses(): Promise<Record<string, number>> {
  const rows = await suite.db().select({ status: operationItems.status, n: count() }).from(operationItems).groupBy(operationItems.status);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** What the survivor must find before any reconcile: everyone off the dead node, every move succeeded, the invariants intact. */
async function expectFinished(users: number) {
  expect(await activeOn("a")).toBe(0);
  expect((await activeOn("b")) + (await activeOn("c"))).toBe(users);
  expect(await itemStatuses()).toEqual({ succeeded: users });
  const [op] = await suite.db().select().from(operations);
  expect(op).toMatchObject({ kind: "failover", status: "succeeded", succeeded: users, failed: 0 });
  expect(await findInvariantViolations(suite.db(), suite.fleet)).toEqual([]);
}

describe("the failover rate", () => {
  it("one ping keeps moving while its budget lasts: 40 users in one ping, not a batch", async () => {
    const { a } = await deadNodeWithUsers(40);
    const report = await runFleetOperations(fleetDeps(a), { budgetMs: 20_000 });
    expect(report.batches).toMatchObject([{ moved: 40, status: "succeeded" }]);
    await expectFinished(40);
  });

  it("two replicas failing over two nodes together start no more moves than the rate allows, and the users move once each", async () => {
    const { a, b } = await deadNodeWithUsers(60, ["a", "d"]);
    const perMinute = 120; // a bucket of 20, then two a second
    const started = performance.now();
    const reports = await Promise.all([runFleetOperations(fleetDeps(a, perMinute), { budgetMs: 8_000 }), runFleetOperations(fleetDeps(b, perMinute), { budgetMs: 8_000 })]);
    const elapsedS = (performance.now() - started) / 1000;
    const moved = reports.flatMap((r) => r.batches).reduce((sum, batch) => sum + batch.moved, 0);
    expect(moved).toBeGreaterThan(0);
    expect(moved).toBeLessThanOrEqual(bucketCapacity(perMinute) + Math.ceil((elapsedS * perMinute) / 60));
    expect((await activeOn("a")) + (await activeOn("d"))).toBe(60 - moved);

    // The rest moves once the rate allows; nobody moved twice.
    await runFleetOperations(fleetDeps(b), { budgetMs: 20_000 });
    expect((await activeOn("a")) + (await activeOn("d"))).toBe(0);
    expect(await itemStatuses()).toEqual({ succeeded: 60 });
    expect(await findInvariantViolations(suite.db(), suite.fleet)).toEqual([]);
  });
});

describe("a replica dying mid-failover", () => {
  // Every step a move off a dead node passes (its old client cannot be taken off the dead panel, so
  // the retirement steps come later, from the reconciler).
  const STEPS: KeyStep[] = ["placement.reserved", "placement.created", "placement.activated"];

  it.each(STEPS)("dies at %s: the survivor retries what was interrupted and finishes, before any reconcile", async (step) => {
    const { a, b } = await deadNodeWithUsers(6);
    a.crashAt(step);
    await runFleetOperations(fleetDeps(a), { budgetMs: 20_000 }).catch(() => null);
    expect(a.hasCrashed).toBe(true);
    // Time passes: the dead holder's claim on the operation and its moves' deadlines run out.
    await suite.db().update(operations).set({ leaseUntil: sql`now() - interval '1 second'` });
    await expireInFlight(suite.db());

    await runFleetOperations(fleetDeps(b), { budgetMs: 20_000 });
    await expectFinished(6);
  });

  it("two replicas on the same operation move every user exactly once", async () => {
    const { a, b } = await deadNodeWithUsers(20);
    await Promise.all([runFleetOperations(fleetDeps(a), { budgetMs: 20_000 }), runFleetOperations(fleetDeps(b), { budgetMs: 20_000 })]);
    await expectFinished(20);
  });

  it(
    "is replaced within the operation's lease, with no clock moved by hand",
    async () => {
      const { a, b } = await deadNodeWithUsers(20);
      a.crashAt("placement.created");
      await runFleetOperations(fleetDeps(a), { budgetMs: 20_000 }).catch(() => null);
      expect(a.hasCrashed).toBe(true);
      const crashedAt = performance.now();
      const bound = OPERATION_LEASE_MS + inFlightDeadlineMs(b.deps) + 5_000;
      while ((await activeOn("a")) > 0 && performance.now() - crashedAt < bound) {
        await runFleetOperations(fleetDeps(b), { budgetMs: 8_000 });
      }
      const delayMs = performance.now() - crashedAt;
      expect(delayMs).toBeLessThan(bound);
      await expectFinished(20);
    },
    90_000,
  );
});
