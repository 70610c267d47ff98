import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimulatedFleet, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import type { ReconcileDeps } from "./reconcile-node";
import { runReconcile } from "./run-reconcile";

let test: TestDatabase;
let fleet: SimulatedFleet;

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.close();
});
afterEach(async () => {
  await fleet.close();
  await test.db.execute(sql`TRUNCATE nodes, vpn_users, assignments, events, operations CASCADE`);
});

const recDeps = (over: Partial<ReconcileDeps> = {}): ReconcileDeps => ({ db: test.db, panelFor: fleet.panelFor, graceMs: 0, maxActions: 100, ...over });

describe("runReconcile", () => {
  it("reconciles each due node once even when two runs overlap, and skips unreadable ones", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }, { name: "b" }, { name: "down", healthState: "unhealthy" }]);
    const [one, two] = await Promise.all([
      runReconcile(recDeps(), { budgetMs: 10_000, intervalMs: 60_000 }),
      runReconcile(recDeps(), { budgetMs: 10_000, intervalMs: 60_000 }),
    ]);
    expect([...one.nodes, ...two.nodes].map((n) => n.nodeName).sort()).toEqual(["a", "b"]);
    const again = await runReconcile(recDeps(), { budgetMs: 10_000, intervalMs: 60_000 });
    expect(again.nodes).toEqual([]);
    const forced = await runReconcile(recDeps(), { budgetMs: 10_000, intervalMs: 60_000, nodeId: fleet.node("a").id });
    expect(forced.nodes.map((n) => n.nodeName)).toEqual(["a"]);
  });

  // Observation 5: hanging panels used most of a ping's budget and the reconciler reached 36 of 300 nodes.
  it("hanging panels cost one panel deadline each, side by side, and every other node is still reached", async () => {
    const names = Array.from({ length: 16 }, (_, i) => `n${String(i).padStart(2, "0")}`);
    fleet = await startSimulatedFleet(test.db, names.map((name) => ({ name })), { timeoutMs: 1_500 });
    for (const name of names.slice(0, 8)) fleet.panel(name).faults.hang = true;
    // One node after another, the eight hanging ones alone would need 8 × 1.5 s, more than twice this budget.
    const report = await runReconcile(recDeps(), { budgetMs: 5_000, intervalMs: 60_000, concurrency: 8, nodeDeadlineMs: 1_500 });
    expect(report.skipped).toBe(0);
    expect(report.nodes.map((n) => n.nodeName)).toEqual(names);
    const unreadable = report.nodes.filter((n) => n.error).map((n) => n.nodeName);
    expect(unreadable).toEqual(expect.arrayContaining(names.slice(0, 8)));
  });

  it("starts no node with less than one panel deadline left, and leaves it due for the next run", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }, { name: "b" }]);
    const report = await runReconcile(recDeps(), { budgetMs: 1_000, intervalMs: 60_000, nodeDeadlineMs: 5_000 });
    expect(report).toEqual({ nodes: [], skipped: 2 });
    expect((await runReconcile(recDeps(), { budgetMs: 10_000, intervalMs: 60_000 })).nodes).toHaveLength(2);
  });
});
