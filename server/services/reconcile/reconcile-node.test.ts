import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { assignments, events, nodes, operationItems, operations, vpnUsers } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { rankFleet } from "@/server/services/balancer/rank-fleet";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import { nodeTag } from "@/server/services/keys/client-identity";
import { CLIENT_EMAIL_PREFIX, type KeyDeps } from "@/server/services/keys/key-deps";
import { createClientOnNode } from "@/server/services/keys/node-client";
import { withNodeWriter } from "@/server/services/keys/node-writer";
import { beginPlacement, type Placement } from "@/server/services/keys/placement";
import { revokeKey } from "@/server/services/keys/revoke-key";
import { startSimulatedFleet, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { reconcileNode, type ReconcileDeps } from "./reconcile-node";

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

const keyDeps = (): KeyDeps => ({ db: test.db, panelFor: fleet.panelFor, publicUrl: "https://fleet.example.com" });
const recDeps = (over: Partial<ReconcileDeps> = {}): ReconcileDeps => ({ db: test.db, panelFor: fleet.panelFor, graceMs: 0, maxActions: 100, ...over });
const ours = (name = "a") => fleet.panel(name).state.clients().filter((c) => String(c.email).startsWith(CLIENT_EMAIL_PREFIX));
const states = async () => (await test.db.select({ s: assignments.state }).from(assignments)).map((r) => r.s).sort();

/** Step 1 of a placement only: the pending row is committed, nothing happened on the panel yet. */
async function pendingPlacement(telegramId: number): Promise<Placement> {
  const { candidates } = await rankFleet(test.db);
  const begun = await beginPlacement(keyDeps(), { telegramId, mode: "replace-unservable" }, candidates);
  if (begun.kind !== "begun") throw new Error("expected a placement");
  return begun.placement;
}

/** Its request is gone: the deadline it owned the row until has passed. */
async function expire(assignmentId: string): Promise<void> {
  await test.db.update(assignments).set({ settleBy: sql`now() - interval '1 second'` }).where(eq(assignments.id, assignmentId));
}

describe("reconcileNode", () => {
  it("converges a crash after the panel call and before the commit: the pending row is activated", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }]);
    const placement = await pendingPlacement(7001);
    await withNodeWriter(keyDeps(), placement.node.id, (writer) => createClientOnNode(fleet.panelFor, writer, placement.node, { ...placement.assignment, plan: placement.plan }));
    // ...and the process dies here.
    await expire(placement.assignment.id);
    const report = await reconcileNode(recDeps(), placement.node.id);
    expect(report.actions.map((a) => a.kind)).toEqual(["activated"]);
    expect(report.clean).toBe(true);
    const [row] = await test.db.select().from(assignments);
    expect(row?.state).toBe("active");
    expect(row?.shareLink).toMatch(/^vless:\/\//);
    expect(ours()).toHaveLength(1);
    const key = await getOrCreateKey(keyDeps(), { telegramId: 7001 });
    expect(key.key).toBe(row?.shareLink);
  });

  it("converges a crash after the commit and before the panel call: the placement fails and its place is released", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }]);
    const placement = await pendingPlacement(7002);
    await expire(placement.assignment.id);
    const report = await reconcileNode(recDeps(), placement.node.id);
    expect(report.actions.map((a) => [a.kind, a.ok])).toEqual([["failed_pending", true]]);
    expect(await states()).toEqual(["failed"]);
    expect(ours()).toHaveLength(0);
    expect(report.reservedCount).toEqual({ before: 0, after: 0 });
    // The user's next request places the key afresh.
    expect((await getOrCreateKey(keyDeps(), { telegramId: 7002 })).node.name).toBe("a");
  });

  it("leaves a pending row alone while its request owns it, however long the grace period", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }]);
    const placement = await pendingPlacement(7003);
    const report = await reconcileNode(recDeps({ graceMs: 0 }), placement.node.id);
    expect(report.actions).toEqual([]);
    expect(ours()).toHaveLength(0);
    expect(await states()).toEqual(["pending"]);
  });

  it("re-creates a client deleted by hand and repairs one whose secret drifted or was switched off", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }]);
    await getOrCreateKey(keyDeps(), { telegramId: 7004 });
    await getOrCreateKey(keyDeps(), { telegramId: 7005 });
    const [gone, drifted] = ours();
    const panel = fleet.panelFor(fleet.node("a"));
    await panel.deleteClient(1, String(gone?.email));
    await panel.updateClient(1, String(drifted?.email), { id: "00000000-0000-4000-8000-000000000000", enable: false });
    const report = await reconcileNode(recDeps(), fleet.node("a").id);
    expect(report.actions.map((a) => a.kind).sort()).toEqual(["created", "repaired"]);
    const after = ours();
    expect(after).toHaveLength(2);
    expect(after.find((c) => c.email === drifted?.email)).toMatchObject({ id: drifted?.id, enable: true });
  });

  it("repairs plan drift: a client's quota, expiry, device limit and switch go back to the user's plan", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }], { trafficPollMs: 0 });
    const expiresAt = new Date(Date.now() + 7 * 86_400_000);
    await getOrCreateKey(keyDeps(), { telegramId: 7010, plan: { trafficLimitBytes: 5_000, expiresAt, deviceLimit: 2 } });
    const [client] = ours();
    const panel = fleet.panelFor(fleet.node("a"));
    // Someone edits the client in the panel's own UI.
    await panel.updateClient(1, String(client?.email), { totalBytes: 0, expiryTime: 0, limitIp: 0, enable: false });
    const report = await reconcileNode(recDeps(), fleet.node("a").id);
    expect(report.actions.map((a) => a.kind)).toEqual(["repaired"]);
    expect(ours()[0]).toMatchObject({ totalGB: 5_000, expiryTime: expiresAt.getTime(), limitIp: 2, enable: true });
    expect((await reconcileNode(recDeps(), fleet.node("a").id)).actions).toEqual([]);
  });

  it("does not switch back on a client the panel switched off for bytes the ledger had not read yet: it reads them first", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a", version: "2.9.4" }], { trafficPollMs: 0 });
    await getOrCreateKey(keyDeps(), { telegramId: 7011, plan: { trafficLimitBytes: 1_000 } });
    const email = String(ours()[0]?.email);
    fleet.panel("a").state.recordTraffic(email, 100, 950);
    expect(ours()[0]?.enable).toBe(false);
    const report = await reconcileNode(recDeps(), fleet.node("a").id);
    // The counter was read into the ledger: the user is out of quota, so the client stays off.
    expect(report.actions).toEqual([]);
    expect(ours()[0]?.enable).toBe(false);
    const [user] = await test.db.select().from(vpnUsers);
    expect(user).toMatchObject({ uploadBytes: 100, downloadBytes: 950 });
  });

  it("deletes a stray issued for this node after the grace period, and never touches a client no row of this node names: the operator's, a bare prefix, another node's", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }, { name: "b" }]);
    const panel = fleet.panelFor(fleet.node("a"));
    const stray = `${CLIENT_EMAIL_PREFIX}9-${nodeTag(fleet.node("a").id)}-aaaaaaaaaaaa`;
    await panel.addClient(1, { email: stray, id: "11111111-1111-4111-8111-111111111111" });
    await panel.addClient(1, { email: "someone-else", id: "22222222-2222-4222-8222-222222222222" });
    await panel.addClient(1, { email: `${CLIENT_EMAIL_PREFIX}stray`, id: "33333333-3333-4333-8333-333333333333" });
    // A key issued for node b, found on a's panel (two nodes once pointed at one inbound): b's, not a's.
    const [user] = await test.db.insert(vpnUsers).values({ telegramId: 9, subscriptionToken: "t9" }).returning();
    const twin = `${CLIENT_EMAIL_PREFIX}9-${nodeTag(fleet.node("b").id)}-bbbbbbbbbbbb`;
    await test.db.insert(assignments).values({ userId: user!.id, nodeId: fleet.node("b").id, inboundId: 1, clientId: "44444444-4444-4444-8444-444444444444", clientEmail: twin, state: "revoked" });
    await panel.addClient(1, { email: twin, id: "44444444-4444-4444-8444-444444444444" });
    const untouched = () => fleet.panel("a").state.clients().filter((c) => c.email !== stray);
    const before = structuredClone(untouched());

    const early = await reconcileNode(recDeps({ graceMs: 60_000 }), fleet.node("a").id);
    expect(early.actions).toEqual([]);
    expect(early.deferred).toBe(1);
    expect(early.clean).toBe(false);

    // Ten minutes later the first sighting is past the grace period.
    const later = { now: () => new Date(Date.now() + 600_000) };
    const report = await reconcileNode(recDeps({ graceMs: 60_000, clock: later }), fleet.node("a").id);
    expect(report.actions.map((a) => [a.kind, a.email])).toEqual([["deleted_orphan", stray]]);
    expect(fleet.panel("a").state.clients().some((c) => c.email === stray)).toBe(false);
    expect(untouched()).toEqual(before);
  });

  it("finishes a revoke whose panel was down, and clears needs_reconcile once clean", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }]);
    await getOrCreateKey(keyDeps(), { telegramId: 7006 });
    await fleet.panel("a").faults.down();
    const revoked = await revokeKey({ ...keyDeps(), writer: { waitMs: 100 } }, { telegramId: 7006 });
    expect(revoked.removedFromPanel).toBe(false);
    expect(await states()).toEqual(["revoking"]);
    await fleet.panel("a").faults.up();
    await test.db.update(nodes).set({ needsReconcile: true });

    const report = await reconcileNode(recDeps(), fleet.node("a").id);
    expect(report.actions.map((a) => a.kind)).toEqual(["deleted_revoked"]);
    expect(ours()).toHaveLength(0);
    expect(await states()).toEqual(["revoked"]);
    const [node] = await test.db.select().from(nodes);
    expect(node?.needsReconcile).toBe(false);
  });

  it("recomputes a drifted reserved count and raises an event", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a" }]);
    await getOrCreateKey(keyDeps(), { telegramId: 7007 });
    await test.db.update(nodes).set({ reservedCount: 7 });
    const report = await reconcileNode(recDeps(), fleet.node("a").id);
    expect(report.reservedCount).toEqual({ before: 7, after: 1 });
    const [event] = await test.db.select().from(events).where(eq(events.kind, "reconcile.reserved_mismatch"));
    expect(event?.data).toMatchObject({ stored: 7, counted: 1 });
    const [operation] = await test.db.select().from(operations);
    expect(operation).toMatchObject({ kind: "reconcile", status: "succeeded" });
  });

  it("caps panel actions per run, records them, and keeps needs_reconcile until the rest is done", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a", needsReconcile: false }]);
    for (const id of [7101, 7102, 7103]) await getOrCreateKey(keyDeps(), { telegramId: id });
    for (const c of ours()) await fleet.panelFor(fleet.node("a")).deleteClient(1, String(c.email));
    await test.db.update(nodes).set({ needsReconcile: true });

    const first = await reconcileNode(recDeps({ maxActions: 2 }), fleet.node("a").id);
    expect(first.actions).toHaveLength(2);
    expect(first.deferred).toBe(1);
    expect((await test.db.select().from(nodes))[0]?.needsReconcile).toBe(true);
    expect(await test.db.select().from(operationItems)).toHaveLength(2);

    const second = await reconcileNode(recDeps({ maxActions: 2 }), fleet.node("a").id);
    expect(second.actions).toHaveLength(1);
    expect(second.clean).toBe(true);
    expect(ours()).toHaveLength(3);
    expect((await test.db.select().from(nodes))[0]?.needsReconcile).toBe(false);
  });
});
