/**
 * Capacity under lock contention. A reservation is a conditional UPDATE of the node's row: one that
 * waited for another writer of that row and then found the node no longer eligible has still locked
 * the row, until its transaction ends. A placement going on to its next candidate would then hold
 * two node rows taken in rank order, and deadlock with a move that locks the same two in id order.
 */
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { rowsOf } from "@/server/db/migrate";
import { nodes, type Node } from "@/server/db/schema";
import type { ScoredNode } from "@/server/services/balancer/score-nodes";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { lockNodesInOrder } from "./capacity";
import type { KeyDeps } from "./key-deps";
import { beginPlacement } from "./placement";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.close();
});

/** Resolves once `count` statements of this test's database are waiting for a lock. */
async function lockWaiters(count: number): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    const waiting = rowsOf<{ n: number }>(await test.db.execute(sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`));
    if ((waiting[0]?.n ?? 0) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${count} statements never waited for a lock`);
}

const candidate = (node: Node): ScoredNode => ({ nodeId: node.id, name: node.name, location: null, healthState: "healthy", load: 0, score: 1, isPreferredLocation: false, isSameProtocol: false });

it("a placement that misses its best node after waiting for the row takes the next one without holding the first: a move locking both in id order is not deadlocked", async () => {
  const inserted = await test.db
    .insert(nodes)
    .values(["p", "q"].map((name) => ({ name, panelUrl: `http://127.0.0.1:1/${name}/`, inboundId: 1, healthState: "healthy" as const, maxUsers: 10 })))
    .returning();
  const [low, high] = inserted.sort((a, b) => (a.id < b.id ? -1 : 1)) as [Node, Node];
  const deps: KeyDeps = { db: test.db, publicUrl: "https://fleet.example.com", panelFor: () => { throw new Error("no panel is called while a placement begins"); } };

  // Another writer holds the best node's row and ejects it (a failed add elsewhere), not committed yet.
  let ejected!: () => void;
  let release!: () => void;
  const isEjected = new Promise<void>((resolve) => (ejected = resolve));
  const ejector = test.db.transaction(async (tx) => {
    await tx.update(nodes).set({ ejectedUntil: sql`now() + interval '1 minute'` }).where(eq(nodes.id, high.id));
    ejected();
    await new Promise<void>((resolve) => (release = resolve));
  });
  await isEjected;
  // The placement ranks the higher id first, so its order is the reverse of id order; it waits for the ejector.
  const placing = beginPlacement(deps, { telegramId: 4_242, mode: "rotate" }, [candidate(high), candidate(low)]);
  await lockWaiters(1);
  // A move between the two nodes locks the lower id, then waits for the higher one behind the placement.
  const moving = test.db.transaction((tx) => lockNodesInOrder(tx, [high.id, low.id]));
  await lockWaiters(2);
  release();

  const settled = await Promise.allSettled([ejector, placing, moving]);
  // A deadlock aborts the placement or the move (40P01, after deadlock_timeout).
  expect(settled.map((s) => (s.status === "fulfilled" ? "ok" : String((s.reason as { cause?: unknown }).cause ?? s.reason)))).toEqual(["ok", "ok", "ok"]);
  const place = settled[1];
  expect(place).toMatchObject({ value: { kind: "begun", placement: { node: { id: low.id } } } });
  const counts = await test.db.select({ id: nodes.id, reserved: nodes.reservedCount }).from(nodes).where(inArray(nodes.id, [low.id, high.id]));
  expect(Object.fromEntries(counts.map((c) => [c.id, c.reserved]))).toEqual({ [low.id]: 1, [high.id]: 0 });
});
