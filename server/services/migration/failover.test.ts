import { renderErrorText } from "@/server/http/messages";
import { and, count, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { assignments, events, nodes, operationItems, operations, vpnUsers, webhookDeliveries, type Node } from "@/server/db/schema";
import type { Clock } from "@/server/services/clock";
import { runHealthSweep } from "@/server/services/health/run-health-sweep";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import { CLIENT_EMAIL_PREFIX, type KeyDeps } from "@/server/services/keys/key-deps";
import type { NodeSpec, SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { relayEventNotifications } from "@/server/services/notifications/relay-events";
import { runReconcile } from "@/server/services/reconcile/run-reconcile";
import { getSubscription } from "@/server/services/subscriptions/get-subscription";
import { fleetSuite } from "@/server/testing/fleet-suite";
import { drainNode, undrainNode } from "./drain-node";
import { readFailoverHold, releaseFailoverHold } from "./failover-hold";
import { executeRebalance, getRebalancePlan, whatIfNodeDies } from "./fleet-plans";
import { migrateItem } from "./migrate-item";
import { migrateUser } from "./migrate-user";
import type { FleetOperationDeps } from "./migration-deps";
import { runFleetOperations } from "./run-fleet-operations";

const suite = fleetSuite(["nodes", "vpn_users", "assignments", "events", "operations", "webhook_deliveries", "health_checks"], { maxConnections: 30 });
let nowMs = Date.now();
const clock: Clock = { now: () => new Date(nowMs) };
const advance = (ms: number) => (nowMs += ms);
const NOTIFY = { webhook: { url: "http://127.0.0.1:9/never-delivered-here", secret: "whsec-test-0123456789" }, telegram: null };
const ADMIN = { adminId: null, username: "ops", ip: null, userAgent: null };
const HEALTH = { intervalSeconds: 5, fall: 3, fallWindowSeconds: 10, rise: 2, timeoutMs: 500 };

afterEach(() => {
  nowMs = Date.now();
});

const start = (specs: NodeSpec[]): Promise<SimulatedFleet> => suite.start(specs, { timeoutMs: 500 });

function deps(f: SimulatedFleet, failover: Partial<FleetOperationDeps["failover"]> = {}, db = suite.db()): FleetOperationDeps {
  return {
    db,
    panelFor: f.panelFor,
    publicUrl: "https://fleet.example.com",
    clock,
    notifications: NOTIFY,
    failover: { graceSeconds: 60, maxMovesPerMinute: 6_000, autoReturnToService: true, ...failover },
  };
}
const keyDeps = (f: SimulatedFleet): KeyDeps => ({ db: suite.db(), panelFor: f.panelFor, publicUrl: "https://fleet.example.com", inFlightWaitMs: 20_000 });

/** One health sweep, one interval after the previous one. */
async function sweep(f: SimulatedFleet) {
  advance(HEALTH.intervalSeconds * 1000 + 1);
  return runHealthSweep({ db: suite.db(), panelFor: f.panelFor, clock, settings: HEALTH, concurrency: 8 }, { budgetMs: 10_000 });
}
const ping = (f: SimulatedFleet, failover: Partial<FleetOperationDeps["failover"]> = {}) => runFleetOperations(deps(f, failover), { budgetMs: 20_000 });
const reconcileAll = (f: SimulatedFleet) => runReconcile({ db: suite.db(), panelFor: f.panelFor, graceMs: 0, maxActions: 1_000, clock }, { budgetMs: 20_000, intervalMs: 0 });

async function nodeRow(name: string): Promise<Node> {
  const [row] = await suite.db().select().from(nodes).where(eq(nodes.name, name));
  if (!row) throw new Error(`no node ${name}`);
  return row;
}
async function liveOn(name: string): Promise<number> {
  const node = await nodeRow(name);
  const [row] = await suite.db().select({ n: count() }).from(assignments).where(and(eq(assignments.nodeId, node.id), sql`${assignments.state} IN ('pending', 'active')`));
  return row?.n ?? 0;
}
/** Telegram id → panels holding one of our clients for it. */
function clientsByUser(f: SimulatedFleet): Map<number, string[]> {
  const map = new Map<number, string[]>();
  for (const node of f.nodes) {
    for (const c of f.panel(node.name).state.clients()) {
      const email = String(c.email);
      if (!email.startsWith(CLIENT_EMAIL_PREFIX)) continue;
      const telegramId = Number(email.slice(CLIENT_EMAIL_PREFIX.length).split("-")[0]);
      map.set(telegramId, [...(map.get(telegramId) ?? []), node.name]);
    }
  }
  return map;
}
async function expectCapacityExact(names: string[]) {
  for (const name of names) expect((await nodeRow(name)).reservedCount, `reserved on ${name}`).toBe(await liveOn(name));
}
async function seedUsers(f: SimulatedFleet, ids: number[]) {
  for (const telegramId of ids) await getOrCreateKey(keyDeps(f), { telegramId });
}
/** Users all on `a`, then `others` opened for new users. */
async function fleetWithUsersOnA(others: NodeSpec[], users: number, aSpec: Partial<NodeSpec> = {}) {
  const f = await start([{ name: "a", ...aSpec }, ...others.map((o) => ({ ...o, adminState: "disabled" as const }))]);
  const ids = Array.from({ length: users }, (_, i) => 5_000 + i);
  await seedUsers(f, ids);
  await suite.db().update(nodes).set({ adminState: "active" }).where(sql`${nodes.name} <> 'a'`);
  return { f, ids };
}

describe("automatic failover", () => {
  it("moves every user of a dead node after the grace period, keeps their subscription working, and leaves one client per user once the node returns and is reconciled", async () => {
    const { f, ids } = await fleetWithUsersOnA([{ name: "b" }, { name: "c" }], 30);
    expect(await liveOn("a")).toBe(30);
    await f.panel("a").faults.down();

    for (let i = 0; i < 3; i++) await sweep(f);
    expect((await nodeRow("a")).healthState).toBe("unhealthy");
    expect((await ping(f)).started).toEqual([]); // still inside the grace period
    expect(await liveOn("a")).toBe(30);

    advance(60_000);
    // Two replicas ping at once: neither moves a user the other moves.
    const [first, second] = await Promise.all([ping(f), ping(f)]);
    expect([...first.started, ...second.started]).toHaveLength(1);
    for (let i = 0; i < 5 && (await liveOn("a")) > 0; i++) await ping(f);

    expect(await liveOn("a")).toBe(0);
    expect((await liveOn("b")) + (await liveOn("c"))).toBe(30);
    await expectCapacityExact(["a", "b", "c"]);
    const [failover] = await suite.db().select().from(operations).where(eq(operations.kind, "failover"));
    expect(failover).toMatchObject({ status: "succeeded", total: 30, succeeded: 30, failed: 0 });
    // Observation 7: the Operations "Why" and the events stayed English; they are codes rendered per reader now.
    expect(renderErrorText(failover!.reasonRef!, "ru")).toMatch(/^a недоступен не меньше \d+ с$/);
    const [started] = await suite.db().select().from(events).where(eq(events.kind, "failover.started"));
    expect(renderErrorText(started!.messageRef!, "ru")).toMatch(/^Переносим 30 пользователей с a\./);
    expect(await suite.db().select({ n: count() }).from(operationItems).where(eq(operationItems.status, "succeeded"))).toEqual([{ n: 30 }]);

    for (const telegramId of ids) {
      const [user] = await suite.db().select().from(vpnUsers).where(eq(vpnUsers.telegramId, telegramId));
      const sub = await getSubscription({ db: suite.db() }, user!.subscriptionToken);
      expect(sub.kind).toBe("links");
      const [live] = await suite.db().select().from(assignments).where(and(eq(assignments.userId, user!.id), eq(assignments.state, "active")));
      expect(sub.kind === "links" && sub.links).toEqual([live?.shareLink]);
      expect(live?.placementReason).toMatchObject({ strategy: "migration", note: "moved from a (failover)" });
    }
    const moved = await suite.db().select().from(webhookDeliveries).where(eq(webhookDeliveries.event, "key.moved"));
    expect(moved).toHaveLength(30);
    expect(moved[0]?.payload).toMatchObject({ reason: "failover", from: { name: "a" }, subscriptionUrl: expect.stringMatching(/^https:\/\/fleet\.example\.com\/sub\//) });
    // The dead panel could not be cleaned: every user has a client on a and on the new node, and a is flagged.
    expect([...clientsByUser(f).values()].every((panels) => panels.length === 2 && panels.includes("a"))).toBe(true);
    expect((await nodeRow("a")).needsReconcile).toBe(true);

    await f.panel("a").faults.up();
    for (let i = 0; i < 2; i++) await sweep(f);
    expect((await nodeRow("a")).healthState).toBe("healthy");
    await seedUsers(f, [9_001, 9_002]);
    expect(await liveOn("a")).toBe(0); // back, but not cleaned: no new users

    await reconcileAll(f);
    const byUser = clientsByUser(f);
    expect(byUser.size).toBe(32);
    expect([...byUser.values()].every((panels) => panels.length === 1 && !panels.includes("a"))).toBe(true);
    expect((await nodeRow("a")).needsReconcile).toBe(false);
    expect(await suite.db().select({ n: count() }).from(assignments).where(eq(assignments.state, "revoking"))).toEqual([{ n: 0 }]);
    await expectCapacityExact(["a", "b", "c"]);
  });

  it("a blip shorter than the fall threshold moves nobody", async () => {
    const { f } = await fleetWithUsersOnA([{ name: "b" }], 5);
    await f.panel("a").faults.down();
    await sweep(f);
    await sweep(f);
    await f.panel("a").faults.up();
    await sweep(f);
    advance(3_600_000);
    await sweep(f);
    const report = await ping(f, { graceSeconds: 0 });
    expect(report.started).toEqual([]);
    expect((await nodeRow("a")).healthState).toBe("healthy");
    expect(await suite.db().select({ n: count() }).from(operations)).toEqual([{ n: 0 }]);
    expect(await liveOn("a")).toBe(5);
  });

  it("every node failing at once moves nobody and raises an alert", async () => {
    const { f } = await fleetWithUsersOnA([{ name: "b" }, { name: "c" }, { name: "d" }], 8);
    await Promise.all(f.nodes.map((n) => f.panel(n.name).faults.down()));
    for (let i = 0; i < 4; i++) await sweep(f);
    advance(3_600_000);
    const report = await ping(f, { graceSeconds: 0 });
    expect(report.started).toEqual([]);
    expect(await suite.db().select({ n: count() }).from(operationItems)).toEqual([{ n: 0 }]);
    expect(await liveOn("a")).toBe(8);
    expect((await suite.db().select().from(events).where(eq(events.kind, "failover.held"))).length).toBeGreaterThan(0);
    await relayEventNotifications(suite.db(), { ...NOTIFY, telegram: { apiBase: "http://127.0.0.1:9", botToken: "1:x", chatId: "1" } }, new Date());
    const alerts = await suite.db().select().from(webhookDeliveries).where(eq(webhookDeliveries.event, "failover.held"));
    expect(alerts.map((a) => a.channel).sort()).toEqual(expect.arrayContaining(["telegram", "webhook"]));
  });

  it("holds when more nodes are unhealthy than the blast-radius limit, however they got there", async () => {
    const { f } = await fleetWithUsersOnA([{ name: "b" }, { name: "c" }, { name: "d" }], 4);
    await suite.db().update(nodes).set({ healthState: "unhealthy", healthChangedAt: new Date(nowMs - 3_600_000) });
    const report = await ping(f, { graceSeconds: 0 });
    expect(report).toMatchObject({ isHeld: true, started: [] });
    expect(await liveOn("a")).toBe(4);
  });

  it("an owner releases the hold for a dead node: its users move while the rest of the fleet stays held", async () => {
    const { f } = await fleetWithUsersOnA([{ name: "b" }, { name: "c" }, { name: "d" }, { name: "e" }, { name: "f" }], 4);
    await suite.db().update(nodes).set({ healthState: "unhealthy", healthChangedAt: new Date(nowMs - 3_600_000) }).where(sql`${nodes.name} IN ('a', 'b', 'c', 'd')`);
    expect(await ping(f, { graceSeconds: 0 })).toMatchObject({ isHeld: true, started: [] });
    const hold = await readFailoverHold({ db: suite.db(), clock });
    expect(hold).toMatchObject({ isHeld: true, reason: { code: "event.failover.heldUnhealthy", params: { unhealthy: 4, fleet: 6, limit: 3 } } });
    expect(hold.nodes.map((n) => [n.name, n.users])).toEqual([["a", 4]]);

    await releaseFailoverHold({ db: suite.db(), clock }, ADMIN, { nodeId: (await nodeRow("a")).id });
    const report = await ping(f, { graceSeconds: 0 });
    expect(report).toMatchObject({ isHeld: true, started: [{ kind: "failover", total: 4 }] });
    expect(report.batches[0]).toMatchObject({ moved: 4, status: "succeeded" });
    expect((await liveOn("e")) + (await liveOn("f"))).toBe(4);
    // The alert is not raised again on every ping.
    expect(await suite.db().select({ n: count() }).from(events).where(eq(events.kind, "failover.held"))).toEqual([{ n: 1 }]);
  });

  it("reports users that fit nowhere and keeps their key; with auto-return off the node stays out", async () => {
    const { f } = await fleetWithUsersOnA([{ name: "b", maxUsers: 3 }], 5);
    await suite.db().update(nodes).set({ healthState: "unhealthy", healthChangedAt: new Date(nowMs - 3_600_000) }).where(eq(nodes.name, "a"));
    const report = await ping(f, { graceSeconds: 0, autoReturnToService: false });
    expect(report.batches[0]).toMatchObject({ moved: 3, unplaced: 2, status: "partial" });
    expect(await liveOn("a")).toBe(2);
    expect(await liveOn("b")).toBe(3);
    const skipped = await suite.db().select().from(operationItems).where(eq(operationItems.status, "skipped"));
    expect(skipped.map((s) => s.detailRef)).toEqual([{ code: "operation.item.noRoom" }, { code: "operation.item.noRoom" }]);
    const [low] = await suite.db().select().from(events).where(eq(events.kind, "capacity.low"));
    expect(low?.data).toMatchObject({ unplaced: 2 });
    expect(renderErrorText(low!.messageRef!, "ru")).toMatch(/^2 пользователей на a не удалось перенести \(аварийный перенос\)/);
    expect(await suite.db().select({ n: count() }).from(webhookDeliveries).where(eq(webhookDeliveries.event, "capacity.low"))).toEqual([{ n: 1 }]);
    expect(await nodeRow("a")).toMatchObject({ adminState: "draining", needsReconcile: true });
    // Within the cool-down no new wave starts; after it, the two are tried again.
    expect((await ping(f, { graceSeconds: 0 })).started).toEqual([]);
    await expectCapacityExact(["a", "b"]);
  });
});

describe("what the user asked for survives every move", () => {
  /** a dies; d is the only other node in DE that speaks VLESS, b is in DE but VMess, c is in NL. */
  async function mixedFleet() {
    const f = await start([
      { name: "a", location: "DE", inboundProtocol: "vless" },
      { name: "b", location: "DE", inboundProtocol: "vmess", adminState: "disabled" },
      { name: "c", location: "NL", inboundProtocol: "vless", adminState: "disabled" },
      { name: "d", location: "DE", inboundProtocol: "vless", maxUsers: 1, adminState: "disabled" },
    ]);
    await getOrCreateKey(keyDeps(f), { telegramId: 1, location: "DE", strictLocation: true });
    await getOrCreateKey(keyDeps(f), { telegramId: 2, location: "de", strictLocation: true });
    await getOrCreateKey(keyDeps(f), { telegramId: 3, location: "DE" });
    await suite.db().update(nodes).set({ adminState: "active" }).where(sql`${nodes.name} <> 'a'`);
    return f;
  }
  const nodeOf = async (telegramId: number) =>
    (
      await suite.db()
        .select({ name: nodes.name })
        .from(assignments)
        .innerJoin(vpnUsers, eq(vpnUsers.id, assignments.userId))
        .innerJoin(nodes, eq(nodes.id, assignments.nodeId))
        .where(and(eq(vpnUsers.telegramId, telegramId), eq(assignments.state, "active")))
    )[0]?.name;

  /** Strict users (1, 2) are in DE on VLESS (a or d), the soft one (3) on VLESS anywhere, nobody on the VMess node; d took one. */
  async function expectHonoured(f: SimulatedFleet) {
    for (const strict of [1, 2]) expect(["a", "d"]).toContain(await nodeOf(strict));
    expect(["a", "c", "d"]).toContain(await nodeOf(3));
    expect(await liveOn("b")).toBe(0);
    expect(await liveOn("d")).toBe(1);
    expect(f.panel("b").state.clients().filter((c) => String(c.email).startsWith(CLIENT_EMAIL_PREFIX))).toEqual([]);
  }

  it("failover: a strict user stays in their location or is reported, never moved out of it; no key changes its scheme", async () => {
    const f = await mixedFleet();
    expect(await suite.db().select({ t: vpnUsers.telegramId, location: vpnUsers.preferredLocation, isStrict: vpnUsers.isStrictLocation }).from(vpnUsers).orderBy(vpnUsers.telegramId)).toEqual([
      { t: 1, location: "DE", isStrict: true },
      { t: 2, location: "de", isStrict: true },
      { t: 3, location: "DE", isStrict: false },
    ]);
    await suite.db().update(nodes).set({ healthState: "unhealthy", healthChangedAt: new Date(nowMs - 3_600_000) }).where(eq(nodes.name, "a"));
    const report = await ping(f, { graceSeconds: 0 });
    await expectHonoured(f);
    // d has one place: whoever took it, a strict user found nothing else in DE (b speaks VMess) and stays, reported.
    expect(report.batches[0]).toMatchObject({ unplaced: (await liveOn("a")) });
    expect(await liveOn("a")).toBeGreaterThan(0);
    expect((await suite.db().select().from(events).where(eq(events.kind, "capacity.low"))).length).toBe(1);
  });

  it("drain and rebalance honour the same: nothing leaves for another location or protocol", async () => {
    const f = await mixedFleet();
    // Drain a: the same rules as the failover, by the admin's hand.
    await drainNode(deps(f), ADMIN, { nodeId: f.node("a").id });
    await ping(f);
    await expectHonoured(f);
    await undrainNode(deps(f), ADMIN, { nodeId: f.node("a").id });

    // The rebalance plan: b (VMess) is empty and the least loaded, yet nobody holding a VLESS key goes there,
    // and the strict user on a stays in DE.
    const plan = await getRebalancePlan(suite.db(), { maxMoves: 10, minGap: 0 });
    const moved = new Map(plan.moves.map((m) => [m.telegramId, m.toNodeId]));
    expect([...moved.values()]).not.toContain(f.node("b").id);
    for (const strict of [1, 2]) if (moved.has(strict)) expect([f.node("a").id, f.node("d").id]).toContain(moved.get(strict));
  });

  it("a rebalance moves users who only prefer their location to an emptier one elsewhere, never a strict one", async () => {
    const f = await start([
      { name: "a", location: "DE", maxUsers: 10 },
      { name: "c", location: "NL", maxUsers: 10, adminState: "disabled" },
    ]);
    for (const telegramId of [1, 2, 3]) await getOrCreateKey(keyDeps(f), { telegramId, location: "DE", strictLocation: true });
    for (const telegramId of [4, 5, 6]) await getOrCreateKey(keyDeps(f), { telegramId, location: "DE" });
    await suite.db().update(nodes).set({ adminState: "active" }).where(eq(nodes.name, "c"));

    // a is at 60 %, c empty: evening them out takes three users, and only the soft ones may go.
    const plan = await getRebalancePlan(suite.db(), { maxMoves: 10, minGap: 0 });
    expect(plan.moves.map((m) => m.telegramId).sort()).toEqual([4, 5, 6]);
    await executeRebalance(suite.db(), ADMIN, { maxMoves: 10, minGap: 0 });
    await ping(f);
    for (const strict of [1, 2, 3]) expect(await nodeOf(strict)).toBe("a");
    for (const soft of [4, 5, 6]) expect(await nodeOf(soft)).toBe("c");
    await expectCapacityExact(["a", "c"]);
  });
});

describe("drain", () => {
  it("moves users off in batches while concurrent key requests never land on the draining node", async () => {
    const { f } = await fleetWithUsersOnA([{ name: "b" }, { name: "c" }], 20);
    const state = await drainNode(deps(f), ADMIN, { nodeId: f.node("a").id });
    expect(state.operation).toMatchObject({ kind: "drain", total: 20, status: "running" });
    const newUsers = Array.from({ length: 30 }, (_, i) => 7_000 + i);
    await Promise.all([
      Promise.all(newUsers.map((telegramId) => getOrCreateKey(keyDeps(f), { telegramId }))),
      (async () => {
        for (let i = 0; i < 4; i++) await ping(f);
      })(),
    ]);
    expect(await liveOn("a")).toBe(0);
    expect((await liveOn("b")) + (await liveOn("c"))).toBe(50);
    const [op] = await suite.db().select().from(operations).where(eq(operations.id, state.operation!.id));
    expect(op).toMatchObject({ status: "succeeded", succeeded: 20 });
    // The source was up: old clients were deleted at once, nothing left for the reconciler.
    expect(f.panel("a").state.clients().filter((c) => String(c.email).startsWith(CLIENT_EMAIL_PREFIX))).toHaveLength(0);
    await expectCapacityExact(["a", "b", "c"]);
  });

  it("undrain stops the drain; drain with deleteWhenEmpty deletes the node once empty", async () => {
    const { f } = await fleetWithUsersOnA([{ name: "b" }], 12);
    const drained = await drainNode(deps(f), ADMIN, { nodeId: f.node("a").id });
    // At 60 a minute the bucket holds 10 moves, and this ping has half a second to start them.
    await runFleetOperations(deps(f, { maxMovesPerMinute: 60 }), { budgetMs: 3_500 });
    await undrainNode(deps(f), ADMIN, { nodeId: f.node("a").id });
    const [op] = await suite.db().select().from(operations).where(eq(operations.id, drained.operation!.id));
    expect(op).toMatchObject({ status: "cancelled" });
    expect(op!.succeeded).toBeGreaterThan(0);
    expect(op!.succeeded).toBeLessThanOrEqual(10);
    expect(op!.succeeded + op!.failed).toBe(12);
    expect(await liveOn("a")).toBe(12 - op!.succeeded);
    expect((await nodeRow("a")).adminState).toBe("active");

    await drainNode(deps(f), ADMIN, { nodeId: f.node("a").id, deleteWhenEmpty: true });
    await ping(f);
    expect(await suite.db().select().from(nodes).where(eq(nodes.name, "a"))).toEqual([]);
    expect(await liveOn("b")).toBe(12);
  });
});

describe("moves", () => {
  it("a crash between creating on the target and the switch converges: the recovery finds the client on the target and completes the move", async () => {
    const { f } = await fleetWithUsersOnA([{ name: "b" }], 1);
    let isCrashArmed = false;
    // The process dies right after the target panel accepted the client: the switch never commits.
    const crashingDb = new Proxy(suite.db(), {
      get(target, prop, receiver) {
        if (prop === "transaction" && isCrashArmed) {
          isCrashArmed = false;
          return () => Promise.reject(new Error("simulated crash"));
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    const panelFor: typeof f.panelFor = (node) => {
      const panel = f.panelFor(node);
      if (node.name !== "b") return panel;
      return { ...panel, generation: panel.generation, addClient: async (...args) => {
        await panel.addClient(...args);
        isCrashArmed = true;
      } };
    };
    const [user] = await suite.db().select().from(vpnUsers);
    const [op] = await suite.db().insert(operations).values({ kind: "migration", status: "running", startedBy: "test", total: 1 }).returning();
    const [item] = await suite.db().insert(operationItems).values({ operationId: op!.id, userId: user!.id, fromNodeId: f.node("a").id }).returning();
    await expect(migrateItem({ ...deps(f, {}, crashingDb), panelFor }, item!, "manual")).rejects.toThrow("simulated crash");

    expect((await nodeRow("b")).reservedCount).toBe(1);
    expect(clientsByUser(f).get(5_000)?.sort()).toEqual(["a", "b"]);
    expect(await liveOn("a")).toBe(1); // the user still has their old, working key
    await expectCapacityExact(["a", "b"]);

    await suite.db().update(assignments).set({ settleBy: sql`now() - interval '1 second'` }).where(eq(assignments.state, "pending"));
    expect((await ping(f)).recovered).toBe(1);
    // Before any reconcile: the move is complete, the old client is gone, the counts are exact.
    expect(await liveOn("b")).toBe(1);
    expect(clientsByUser(f).get(5_000)).toEqual(["b"]);
    await expectCapacityExact(["a", "b"]);
    const [done] = await suite.db().select().from(operationItems).where(eq(operationItems.id, item!.id));
    expect(done?.status).toBe("succeeded");
  });

  it("an admin moves one user; concurrent moves of the same user move them once", async () => {
    const { f } = await fleetWithUsersOnA([{ name: "b" }, { name: "c" }], 1);
    const results = await Promise.all([
      migrateUser(deps(f), ADMIN, { telegramId: 5_000, toNodeId: f.node("b").id }),
      migrateUser(deps(f), ADMIN, { telegramId: 5_000, toNodeId: f.node("c").id }),
    ]);
    expect(results.filter((r) => r.outcome.status === "succeeded")).toHaveLength(1);
    expect(clientsByUser(f).get(5_000)).toHaveLength(1);
    expect((await liveOn("b")) + (await liveOn("c"))).toBe(1);
    await expectCapacityExact(["a", "b", "c"]);
  });

  it("simulates a node loss without writing, and rebalances from the most to the least loaded", async () => {
    const { f } = await fleetWithUsersOnA([{ name: "b", maxUsers: 4 }, { name: "c", maxUsers: 100 }], 10);
    const sim = await whatIfNodeDies(suite.db(), { nodeId: f.node("a").id });
    expect(sim.users).toBe(10);
    expect(sim.unplaced).toEqual([]);
    expect(sim.byTarget.reduce((s, t) => s + t.users, 0)).toBe(10);
    expect(await liveOn("a")).toBe(10);

    await suite.db().update(nodes).set({ maxUsers: 2 }).where(eq(nodes.name, "c"));
    expect((await whatIfNodeDies(suite.db(), { nodeId: f.node("a").id })).unplaced).toHaveLength(4);
    await suite.db().update(nodes).set({ maxUsers: 100 }).where(eq(nodes.name, "c"));

    const plan = await getRebalancePlan(suite.db(), { maxMoves: 3 });
    expect(plan.moves).toHaveLength(3);
    expect(plan.moves.every((m) => m.fromNodeId === f.node("a").id)).toBe(true);
    // Two admins press Execute at once: one rebalance is queued, the other is told one is running.
    const executes = await Promise.allSettled([
      executeRebalance(suite.db(), ADMIN, { maxMoves: 3 }),
      executeRebalance(suite.db(), ADMIN, { maxMoves: 3 }),
    ]);
    const queued = executes.filter((e) => e.status === "fulfilled");
    expect(queued).toHaveLength(1);
    expect(executes.find((e) => e.status === "rejected")).toMatchObject({ reason: { code: "CONFLICT" } });
    const { operationId } = (queued[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof executeRebalance>>>).value;
    await ping(f);
    const [op] = await suite.db().select().from(operations).where(eq(operations.id, operationId!));
    expect(op).toMatchObject({ kind: "rebalance", status: "succeeded", succeeded: 3 });
    expect(await liveOn("a")).toBe(7);
    await expectCapacityExact(["a", "b", "c"]);
  });
});
