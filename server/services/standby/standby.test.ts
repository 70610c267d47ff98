/**
 * Standby nodes end to end (services → PostgreSQL + simulated panels): placement and its separate
 * capacity, never two roles on one node, the subscription and the bot's view, promotion when the
 * primary's node is declared down, both nodes dying, a standby node dying or drained, concurrency.
 */
import { and, eq, sql } from "drizzle-orm";
import YAML from "yaml";
import { afterEach, describe, expect, it, vi } from "vitest";
import { assignments, nodes, operationItems, vpnUsers, webhookDeliveries, type Node } from "@/server/db/schema";
import type { Clock } from "@/server/services/clock";
import { runHealthSweep } from "@/server/services/health/run-health-sweep";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import { refreshKey } from "@/server/services/keys/refresh-key";
import { revokeKey } from "@/server/services/keys/revoke-key";
import { startSimulatedFleet, type NodeSpec, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { drainNode } from "@/server/services/migration/drain-node";
import { runFleetOperations } from "@/server/services/migration/run-fleet-operations";
import { recountReservations } from "@/server/services/reconcile/recount-reservations";
import { runReconcile } from "@/server/services/reconcile/run-reconcile";
import { rowsOf } from "@/server/db/migrate";
import { reservePlace } from "@/server/services/keys/capacity";
import { clashProfileSchema } from "@/server/services/subscriptions/formats/testing/profile-schemas";
import { getSubscription } from "@/server/services/subscriptions/get-subscription";
import { subscriptionResponse } from "@/server/services/subscriptions/subscription-response";
import { fleetSuite } from "@/server/testing/fleet-suite";
import { placeStandby } from "./place-standby";
import { runStandbyPass, type StandbyPassDeps } from "./run-standby-pass";
import { standbyAfterKey } from "./standby-after-key";
import type { PanelFactory } from "@/server/services/keys/key-deps";
import type { PanelClient } from "@/server/x3ui/types";

const suite = fleetSuite(["nodes", "vpn_users", "assignments", "events", "operations", "webhook_deliveries", "health_checks"], { maxConnections: 30 });
let nowMs = Date.now();
const clock: Clock = { now: () => new Date(nowMs) };
const NOTIFY = { webhook: { url: "http://127.0.0.1:9/never-delivered-here", secret: "whsec-test-0123456789" }, telegram: null };
const HEALTH = { intervalSeconds: 5, fall: 3, fallWindowSeconds: 10, rise: 2, timeoutMs: 500 };
const SETTINGS = { title: "Fleet VPN", updateHours: 1, probe: { url: "https://probe.example/204", intervalSeconds: 10 } };

afterEach(() => {
  nowMs = Date.now();
});

const start = (specs: NodeSpec[]): Promise<SimulatedFleet> => suite.start(specs, { timeoutMs: 500 });

const deps = (f: SimulatedFleet, enabled = true, keepMovedMs = 0): StandbyPassDeps => ({
  db: suite.db(),
  panelFor: f.panelFor,
  publicUrl: "https://fleet.example.com",
  clock,
  notifications: NOTIFY,
  standby: { enabled, batchSize: 100, keepMovedMs },
});
const pass = (f: SimulatedFleet, enabled = true, keepMovedMs = 0) => runStandbyPass(deps(f, enabled, keepMovedMs), 20_000);

async function nodeRow(name: string): Promise<Node> {
  const [row] = await suite.db().select().from(nodes).where(eq(nodes.name, name));
  if (!row) throw new Error(`no node ${name}`);
  return row;
}

/** The user's live assignments as role → node name. */
async function rolesOf(telegramId: number): Promise<Record<string, string>> {
  const rows = await suite.db()
    .select({ role: assignments.role, node: nodes.name })
    .from(assignments)
    .innerJoin(vpnUsers, eq(vpnUsers.id, assignments.userId))
    .innerJoin(nodes, eq(nodes.id, assignments.nodeId))
    .where(and(eq(vpnUsers.telegramId, telegramId), sql`${assignments.state} IN ('pending', 'active')`));
  return Object.fromEntries(rows.map((r) => [r.role, r.node]));
}

async function tokenOf(telegramId: number): Promise<string> {
  const [user] = await suite.db().select({ token: vpnUsers.subscriptionToken }).from(vpnUsers).where(eq(vpnUsers.telegramId, telegramId));
  return user?.token ?? "";
}

/** Three failed checks over the fall window: the node is declared down. */
async function declareDown(f: SimulatedFleet, name: string): Promise<void> {
  await f.panel(name).faults.down();
  for (let i = 0; i < 4; i++) {
    nowMs += HEALTH.intervalSeconds * 1000 + 1;
    await runHealthSweep({ db: suite.db(), panelFor: f.panelFor, clock, settings: HEALTH, concurrency: 8 }, { budgetMs: 10_000 });
  }
  expect((await nodeRow(name)).healthState).toBe("unhealthy");
}

const keyDeps = (f: SimulatedFleet) => ({ db: suite.db(), panelFor: f.panelFor, publicUrl: "https://fleet.example.com" });

describe("standby placement", () => {
  it("gives each user a standby on another node, preferably another location, counted apart from max_users", async () => {
    const f = await start([
      { name: "de-1", location: "DE", maxUsers: 10 },
      { name: "de-2", location: "DE", maxUsers: 10 },
      { name: "nl-1", location: "NL", maxUsers: 10, standbyMaxUsers: 5 },
    ]);
    await getOrCreateKey(keyDeps(f), { telegramId: 1, location: "DE" });
    const before = await nodeRow("nl-1");
    expect(await pass(f)).toMatchObject({ placed: 1 });
    expect(await rolesOf(1)).toEqual({ primary: "de-1", standby: "nl-1" });
    const after = await nodeRow("nl-1");
    expect(after.standbyReservedCount).toBe(1);
    expect(after.reservedCount).toBe(before.reservedCount);
    expect((await nodeRow("de-1")).standbyReservedCount).toBe(0);
    // The standby's client exists on its panel, under the user's plan.
    expect(f.panel("nl-1").state.clients().filter((c) => String(c.email).startsWith("fleet-1-"))).toHaveLength(1);
    // A standby is not a key issued: the dashboard's daily count stays at the one key.
    const [keys] = rowsOf<{ n: string }>(await suite.db().execute(sql`SELECT coalesce(sum(n), 0) AS n FROM daily_counts WHERE metric = 'keys'`));
    expect(Number(keys?.n)).toBe(1);
    // A second pass changes nothing: one standby per user.
    expect(await pass(f)).toMatchObject({ placed: 0 });
    expect(await recountReservations(suite.db(), after.id)).toEqual({ before: 0, after: 0 });
    expect((await nodeRow("nl-1")).standbyReservedCount).toBe(1);
  });

  it("places no standby where the standby places are used up, and none when STANDBY_ENABLED is off", async () => {
    const f = await start([
      { name: "a", maxUsers: 10 },
      { name: "b", maxUsers: 10, standbyMaxUsers: 1 },
    ]);
    await getOrCreateKey(keyDeps(f), { telegramId: 1, nodeId: (await nodeRow("a")).id });
    await getOrCreateKey(keyDeps(f), { telegramId: 2, nodeId: (await nodeRow("a")).id });
    expect(await pass(f, false)).toMatchObject({ placed: 0 });
    expect(await rolesOf(1)).toEqual({ primary: "a" });
    // Node a holds both primaries, so b is the only place, and it has one standby place.
    expect(await pass(f)).toMatchObject({ placed: 1, unplaced: 1 });
    expect((await nodeRow("b")).standbyReservedCount).toBe(1);
    expect((await nodeRow("a")).standbyReservedCount).toBe(0);
  });

  it("never puts two roles of a user on one node: a single node gives no standby", async () => {
    const f = await start([{ name: "only" }]);
    await getOrCreateKey(keyDeps(f), { telegramId: 1 });
    expect(await pass(f)).toMatchObject({ placed: 0, unplaced: 1 });
    expect(await rolesOf(1)).toEqual({ primary: "only" });
    expect((await nodeRow("only")).standbyReservedCount).toBe(0);
  });

  it("two transactions placing a user's two roles on one node at once: the second one finds the first one's row and gets no place", async () => {
    const f = await start([{ name: "a" }, { name: "b" }]);
    await getOrCreateKey(keyDeps(f), { telegramId: 1, nodeId: (await nodeRow("a")).id });
    const [user] = await suite.db().select().from(vpnUsers);
    const b = await nodeRow("b");
    let commitFirst!: () => void;
    let firstReserved!: () => void;
    const reserved = new Promise<void>((resolve) => (firstReserved = resolve));
    const first = suite.db().transaction(async (tx) => {
      expect(await reservePlace(tx, b.id, user!.id, "standby")).not.toBeNull();
      await tx.insert(assignments).values({ userId: user!.id, nodeId: b.id, inboundId: b.inboundId, clientId: "c", clientEmail: "fleet-1-standby", role: "standby", state: "pending" });
      firstReserved();
      await new Promise<void>((resolve) => (commitFirst = resolve));
    });
    await reserved;
    // The second one's reservation waits on the node row the first one holds; it reads after the commit.
    const second = suite.db().transaction((tx) => reservePlace(tx, b.id, user!.id, "primary"));
    await new Promise((resolve) => setTimeout(resolve, 200));
    commitFirst();
    await first;
    expect(await second).toBeNull();
    const after = await nodeRow("b");
    expect([after.reservedCount, after.standbyReservedCount]).toEqual([b.reservedCount, 1]);
  });

  it("places one standby per user however many passes run at once", async () => {
    const f = await start([{ name: "a" }, { name: "b" }, { name: "c" }]);
    for (let id = 1; id <= 5; id++) await getOrCreateKey(keyDeps(f), { telegramId: id });
    const reports = await Promise.all([pass(f), pass(f), pass(f)]);
    expect(reports.reduce((sum, r) => sum + r.placed, 0)).toBe(5);
    const standbys = await suite.db().select().from(assignments).where(and(eq(assignments.role, "standby"), eq(assignments.state, "active")));
    expect(standbys).toHaveLength(5);
    const counted = (await suite.db().select().from(nodes)).reduce((sum, n) => sum + n.standbyReservedCount, 0);
    expect(counted).toBe(5);
  });
});

describe("what the user and the bot see", () => {
  it("the subscription lists the primary first and the standby after it, grouped for failover; the bot gets standbyKey", async () => {
    const f = await start([{ name: "a", location: "DE" }, { name: "b", location: "NL" }]);
    const key = await getOrCreateKey(keyDeps(f), { telegramId: 1, location: "DE" });
    expect(key.standbyKey).toBeUndefined();
    await pass(f);
    const again = await getOrCreateKey(keyDeps(f), { telegramId: 1 });
    expect(again.key).toBe(key.key);
    expect(again.standbyKey).toMatch(/^vless:\/\//);
    expect(again.standbyKey).not.toBe(key.key);

    const subscription = await getSubscription({ db: suite.db() }, await tokenOf(1));
    expect(subscription).toMatchObject({ kind: "links", links: [key.key, again.standbyKey] });
    const clash = clashProfileSchema.parse(YAML.parse(await subscriptionResponse(subscription, SETTINGS, "clash").text(), { version: "1.1" }));
    expect(clash["proxy-groups"].find((g) => g.type === "fallback")?.proxies).toEqual(["DE · a", "NL · b"]);
  });

  it("a standby whose node is down is left out; the primary's node down leaves the standby alone in the list", async () => {
    const f = await start([{ name: "a" }, { name: "b" }]);
    const key = await getOrCreateKey(keyDeps(f), { telegramId: 1, nodeId: (await nodeRow("a")).id });
    await pass(f);
    const standbyKey = (await getOrCreateKey(keyDeps(f), { telegramId: 1 })).standbyKey;
    await suite.db().update(nodes).set({ healthState: "unhealthy" }).where(eq(nodes.name, "b"));
    expect(await getSubscription({ db: suite.db() }, await tokenOf(1))).toMatchObject({ links: [key.key] });
    expect((await getOrCreateKey(keyDeps(f), { telegramId: 1 })).standbyKey).toBeUndefined();
    await suite.db().update(nodes).set({ healthState: "healthy" }).where(eq(nodes.name, "b"));
    await suite.db().update(nodes).set({ healthState: "unhealthy" }).where(eq(nodes.name, "a"));
    expect(await getSubscription({ db: suite.db() }, await tokenOf(1))).toMatchObject({ links: [standbyKey] });
  });
});

describe("promotion", () => {
  it("when the primary's node is declared down the standby becomes the primary with the same link, a new standby is placed and key.moved fires once", async () => {
    const f = await start([{ name: "a" }, { name: "b" }, { name: "c" }]);
    await getOrCreateKey(keyDeps(f), { telegramId: 1, nodeId: (await nodeRow("a")).id });
    await pass(f);
    const { standbyKey } = await getOrCreateKey(keyDeps(f), { telegramId: 1 });
    const standbyNode = (await rolesOf(1)).standby!;
    const [bBefore, aBefore] = [await nodeRow(standbyNode), await nodeRow("a")];

    await declareDown(f, "a");
    expect(await pass(f)).toMatchObject({ promoted: 1, placed: 1 });
    const roles = await rolesOf(1);
    expect(roles.primary).toBe(standbyNode);
    expect(roles.standby).not.toBe("a");
    expect(roles.standby).not.toBe(standbyNode);
    const view = await getOrCreateKey(keyDeps(f), { telegramId: 1 });
    expect(view.key).toBe(standbyKey);
    // Capacity: a user place moved from a to the promoted node, its standby place was given back.
    expect((await nodeRow("a")).reservedCount).toBe(aBefore.reservedCount - 1);
    expect((await nodeRow(standbyNode)).reservedCount).toBe(bBefore.reservedCount + 1);
    expect((await nodeRow(standbyNode)).standbyReservedCount).toBe(bBefore.standbyReservedCount - 1);
    // The old primary waits as `revoking` for its panel to answer again.
    const [old] = await suite.db().select().from(assignments).where(and(eq(assignments.nodeId, aBefore.id), eq(assignments.state, "revoking")));
    expect(old?.role).toBe("primary");
    const moved = await suite.db().select().from(webhookDeliveries).where(eq(webhookDeliveries.event, "key.moved"));
    expect(moved).toHaveLength(1);
    expect(moved[0]?.payload).toMatchObject({ telegramId: 1, key: standbyKey, reason: "failover", from: { name: "a" }, to: { name: standbyNode } });

    // The failover after the grace period finds nobody left to move off a.
    nowMs += 3_600_000;
    await runFleetOperations({ ...deps(f), failover: { graceSeconds: 0, maxMovesPerMinute: 1_000, autoReturnToService: true } }, { budgetMs: 10_000 });
    expect(await suite.db().select().from(operationItems)).toEqual([]);
    expect(await pass(f)).toMatchObject({ promoted: 0 });
    expect(await suite.db().select().from(webhookDeliveries).where(eq(webhookDeliveries.event, "key.moved"))).toHaveLength(1);
  });

  it("when both nodes die nothing is promoted, the subscription answers unavailable and the standby is given up", async () => {
    const f = await start([{ name: "a" }, { name: "b" }]);
    await getOrCreateKey(keyDeps(f), { telegramId: 1, nodeId: (await nodeRow("a")).id });
    await pass(f);
    await f.panel("b").faults.down();
    await declareDown(f, "a");
    expect((await nodeRow("b")).healthState).toBe("unhealthy");
    expect(await pass(f)).toMatchObject({ promoted: 0, retired: 1, placed: 0 });
    expect(await rolesOf(1)).toEqual({ primary: "a" });
    expect((await getSubscription({ db: suite.db() }, await tokenOf(1))).kind).toBe("unavailable");
    expect((await nodeRow("b")).standbyReservedCount).toBe(0);
  });

  it("without a user place on the standby's node the user is left to the ordinary failover", async () => {
    const f = await start([{ name: "a" }, { name: "b", maxUsers: 0 }]);
    await getOrCreateKey(keyDeps(f), { telegramId: 1 });
    await pass(f);
    expect(await rolesOf(1)).toEqual({ primary: "a", standby: "b" });
    await declareDown(f, "a");
    expect(await pass(f)).toMatchObject({ promoted: 0 });
    expect(await rolesOf(1)).toEqual({ primary: "a", standby: "b" });
  });
});

describe("standby nodes dying or drained", () => {
  it("a standby whose node dies is replaced on another node; the primary is untouched", async () => {
    const f = await start([{ name: "a" }, { name: "b" }, { name: "c", standbyMaxUsers: 0 }]);
    const key = await getOrCreateKey(keyDeps(f), { telegramId: 1, nodeId: (await nodeRow("a")).id });
    await pass(f);
    expect((await rolesOf(1)).standby).toBe("b");
    await suite.db().update(nodes).set({ standbyMaxUsers: 100 }).where(eq(nodes.name, "c"));
    await declareDown(f, "b");
    expect(await pass(f)).toMatchObject({ retired: 1, placed: 1, promoted: 0 });
    expect(await rolesOf(1)).toEqual({ primary: "a", standby: "c" });
    expect((await getOrCreateKey(keyDeps(f), { telegramId: 1 })).key).toBe(key.key);
    expect(await suite.db().select().from(webhookDeliveries).where(eq(webhookDeliveries.event, "key.moved"))).toHaveLength(0);
  });

  it("draining a node moves the standbys on it; moves of primaries never land on the user's standby node", async () => {
    const f = await start([{ name: "a" }, { name: "b" }, { name: "c" }]);
    await getOrCreateKey(keyDeps(f), { telegramId: 1, nodeId: (await nodeRow("a")).id });
    await suite.db().update(nodes).set({ standbyMaxUsers: 0 }).where(eq(nodes.name, "c"));
    await pass(f);
    expect(await rolesOf(1)).toEqual({ primary: "a", standby: "b" });
    await suite.db().update(nodes).set({ standbyMaxUsers: 100 }).where(eq(nodes.name, "c"));

    await drainNode(deps(f), { adminId: null, username: "ops", ip: null, userAgent: null }, { nodeId: (await nodeRow("b")).id });
    expect(await pass(f)).toMatchObject({ retired: 1, placed: 1 });
    expect(await rolesOf(1)).toEqual({ primary: "a", standby: "c" });

    // A refresh may not put the primary where the standby is: c is excluded, b is draining, a is the only one left.
    await refreshKey(keyDeps(f), { telegramId: 1 });
    expect((await rolesOf(1)).primary).toBe("a");
  });

  it("revoking a key gives up the standby too", async () => {
    const f = await start([{ name: "a" }, { name: "b" }]);
    await getOrCreateKey(keyDeps(f), { telegramId: 1 });
    await pass(f);
    await revokeKey(keyDeps(f), { telegramId: 1 });
    expect(await rolesOf(1)).toEqual({});
    expect((await suite.db().select().from(nodes)).map((n) => [n.reservedCount, n.standbyReservedCount])).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it("switching STANDBY_ENABLED off gives every standby up", async () => {
    const f = await start([{ name: "a" }, { name: "b" }]);
    await getOrCreateKey(keyDeps(f), { telegramId: 1 });
    expect(await placeStandby(keyDeps(f), (await suite.db().select().from(vpnUsers))[0]!.id)).toBe("placed");
    expect(await pass(f, false)).toMatchObject({ retired: 1 });
    expect(Object.keys(await rolesOf(1))).toEqual(["primary"]);
  });

  it("the reconciler re-creates a standby client deleted on its panel, as it does a key's", async () => {
    const f = await start([{ name: "a" }, { name: "b" }]);
    await getOrCreateKey(keyDeps(f), { telegramId: 1, nodeId: (await nodeRow("a")).id });
    await pass(f);
    const ours = () => f.panel("b").state.clients().filter((c) => String(c.email).startsWith("fleet-1-"));
    const [standby] = ours();
    await f.panelFor(await nodeRow("b")).deleteClient((await nodeRow("b")).inboundId, String(standby?.email));
    expect(ours()).toHaveLength(0);
    await runReconcile({ db: suite.db(), panelFor: f.panelFor, graceMs: 0, maxActions: 100, clock }, { budgetMs: 20_000, intervalMs: 0 });
    expect(ours().map((c) => c.email)).toEqual([standby?.email]);
    expect(await rolesOf(1)).toEqual({ primary: "a", standby: "b" });
    expect((await nodeRow("b")).standbyReservedCount).toBe(1);
  });
});

const standbyClients = (f: SimulatedFleet, name: string) => f.panel(name).state.clients().filter((c) => String(c.email).startsWith("fleet-"));

describe("a new key's standby right after the answer", () => {
  /** Node b's panel holds every add until `open()`: the standby's placement is still under way when the key is answered. */
  function gatedOn(f: SimulatedFleet, name: string) {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const panelFor: PanelFactory = (node) => {
      const inner = f.panelFor(node);
      if (node.name !== name) return inner;
      return Object.assign(Object.create(inner) as PanelClient, {
        addClient: async (...args: Parameters<PanelClient["addClient"]>) => {
          await gate;
          return inner.addClient(...args);
        },
      });
    };
    return { panelFor, open };
  }

  it("is placed without a cron pass, and the key's answer does not wait for it", async () => {
    // b takes no keys, only standbys: the keys are answered from a whatever b's panel does.
    const f = await start([{ name: "a" }, { name: "b", maxUsers: 0 }]);
    const { panelFor, open } = gatedOn(f, "b");
    const base = { ...keyDeps(f), panelFor };
    const deps = { ...base, afterKeyPlaced: standbyAfterKey(() => base, { maxInFlight: 4 }) };
    const key = await getOrCreateKey(deps, { telegramId: 1 });
    expect(key.node.name).toBe("a");
    // Answered while the standby's panel call is still held: its row is pending on b.
    await vi.waitFor(async () => expect(await rolesOf(1)).toEqual({ primary: "a", standby: "b" }));
    const [pending] = await suite.db().select().from(assignments).where(eq(assignments.role, "standby"));
    expect(pending?.state).toBe("pending");
    open();
    await vi.waitFor(async () => {
      const [standby] = await suite.db().select().from(assignments).where(eq(assignments.role, "standby"));
      expect(standby?.state).toBe("active");
    });
    expect((await getOrCreateKey(keyDeps(f), { telegramId: 1 })).standbyKey).toMatch(/^vless:\/\//);
    expect(await pass(f)).toMatchObject({ placed: 0 });
  });

  it("a key revoked while its standby is still being placed takes the standby with it once placed", async () => {
    const f = await start([{ name: "a" }, { name: "b", maxUsers: 0 }]);
    const { panelFor, open } = gatedOn(f, "b");
    const base = { ...keyDeps(f), panelFor };
    await getOrCreateKey({ ...base, afterKeyPlaced: standbyAfterKey(() => base, { maxInFlight: 4 }) }, { telegramId: 1 });
    await vi.waitFor(async () => expect((await rolesOf(1)).standby).toBe("b"));
    await revokeKey(keyDeps(f), { telegramId: 1 });
    expect(await rolesOf(1)).toEqual({ standby: "b" });
    open();
    await vi.waitFor(async () => expect(await rolesOf(1)).toEqual({}));
    await vi.waitFor(() => expect(standbyClients(f, "b")).toHaveLength(0));
    expect((await nodeRow("b")).standbyReservedCount).toBe(0);
  });

  it("a burst beyond the background bound is left to the standby pass", async () => {
    // b takes no keys, only standbys: the keys are answered from a whatever b's panel does.
    const f = await start([{ name: "a" }, { name: "b", maxUsers: 0 }]);
    const { panelFor, open } = gatedOn(f, "b");
    const base = { ...keyDeps(f), panelFor };
    const deps = { ...base, afterKeyPlaced: standbyAfterKey(() => base, { maxInFlight: 1 }) };
    await getOrCreateKey(deps, { telegramId: 1 });
    await getOrCreateKey(deps, { telegramId: 2 });
    await vi.waitFor(async () => expect((await rolesOf(1)).standby).toBe("b"));
    expect(await rolesOf(2)).toEqual({ primary: "a" });
    open();
    await vi.waitFor(async () => expect((await nodeRow("b")).standbyReservedCount).toBe(1));
    expect(await pass(f)).toMatchObject({ placed: 1 });
    expect(await rolesOf(2)).toEqual({ primary: "a", standby: "b" });
  });
});

describe("evening out the standby load", () => {
  it("a node that takes standbys later gets its share from the fullest; the old client stays on its panel until apps have re-fetched", async () => {
    const f = await start([
      { name: "a", standbyMaxUsers: 0 },
      { name: "b", maxUsers: 0, standbyMaxUsers: 10 },
      { name: "c", maxUsers: 0, standbyMaxUsers: 0 },
    ]);
    for (let id = 1; id <= 4; id++) await getOrCreateKey(keyDeps(f), { telegramId: id });
    expect(await pass(f)).toMatchObject({ placed: 4, evened: 0 });
    expect((await nodeRow("b")).standbyReservedCount).toBe(4);
    const before = new Map<number, string | undefined>();
    for (let id = 1; id <= 4; id++) before.set(id, (await getOrCreateKey(keyDeps(f), { telegramId: id })).standbyKey);

    await suite.db().update(nodes).set({ standbyMaxUsers: 10 }).where(eq(nodes.name, "c"));
    expect(await pass(f, true, 3_600_000)).toMatchObject({ placed: 0, evened: 2 });
    expect([(await nodeRow("b")).standbyReservedCount, (await nodeRow("c")).standbyReservedCount]).toEqual([2, 2]);
    const moved = [];
    for (let id = 1; id <= 4; id++) {
      const roles = await rolesOf(id);
      expect(roles.primary).toBe("a");
      if (roles.standby === "c") moved.push(id);
    }
    expect(moved).toHaveLength(2);
    for (const id of moved) {
      const view = await getOrCreateKey(keyDeps(f), { telegramId: id });
      expect(view.standbyKey).not.toBe(before.get(id));
      expect(await getSubscription({ db: suite.db() }, await tokenOf(id))).toMatchObject({ links: [view.key, view.standbyKey] });
    }
    // The old clients stay on b, retiring in an hour: an app that has not re-fetched still falls back to them.
    expect(standbyClients(f, "b")).toHaveLength(4);
    expect(standbyClients(f, "c")).toHaveLength(2);
    const retiring = await suite.db().select().from(assignments).where(eq(assignments.state, "revoking"));
    expect(retiring).toHaveLength(2);
    for (const row of retiring) expect(row.settleBy!.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    // The reconciler leaves them alone meanwhile.
    await runReconcile({ db: suite.db(), panelFor: f.panelFor, graceMs: 0, maxActions: 100, clock }, { budgetMs: 20_000, intervalMs: 0 });
    expect(standbyClients(f, "b")).toHaveLength(4);
    // Even now: the next pass moves nobody, and no key.moved went out for a standby.
    expect(await pass(f, true, 3_600_000)).toMatchObject({ evened: 0 });
    expect(await suite.db().select().from(webhookDeliveries).where(eq(webhookDeliveries.event, "key.moved"))).toHaveLength(0);

    // Revoking a moved user's key takes the kept old client off at once too: a revoked user keeps no way in.
    const [revoked] = moved;
    const emailsOf = (name: string) => standbyClients(f, name).map((c) => String(c.email)).filter((e) => e.startsWith(`fleet-${revoked}-`));
    expect(emailsOf("b")).toHaveLength(1);
    await revokeKey(keyDeps(f), { telegramId: revoked! });
    expect([...emailsOf("b"), ...emailsOf("c"), ...emailsOf("a")]).toEqual([]);
    expect(await rolesOf(revoked!)).toEqual({});
    expect([(await nodeRow("b")).standbyReservedCount, (await nodeRow("c")).standbyReservedCount]).toEqual([2, 1]);
  });

  it("never moves a standby onto its user's key's node, and with no time to keep the old client it is deleted at once", async () => {
    const f = await start([
      { name: "a", standbyMaxUsers: 0 },
      { name: "b", maxUsers: 0, standbyMaxUsers: 10 },
    ]);
    for (let id = 1; id <= 3; id++) await getOrCreateKey(keyDeps(f), { telegramId: id });
    await pass(f);
    // a now takes standbys too, but every standby on b belongs to a user whose key is on a.
    await suite.db().update(nodes).set({ standbyMaxUsers: 10 }).where(eq(nodes.name, "a"));
    expect(await pass(f)).toMatchObject({ evened: 0 });
    expect((await nodeRow("b")).standbyReservedCount).toBe(3);

    const c = await startSimulatedFleet(suite.db(), [{ name: "c", maxUsers: 0, standbyMaxUsers: 10 }], { timeoutMs: 500 });
    try {
      const both: PanelFactory = (node) => (node.name === "c" ? c.panelFor(node) : f.panelFor(node));
      expect(await runStandbyPass({ ...deps(f), panelFor: both }, 20_000)).toMatchObject({ evened: 1 });
      expect(standbyClients(f, "b")).toHaveLength(2);
      expect(standbyClients(c, "c")).toHaveLength(1);
      expect(await suite.db().select().from(assignments).where(eq(assignments.state, "revoking"))).toHaveLength(0);
    } finally {
      await c.close();
    }
  });
});

describe("the sweep for users without a standby", () => {
  it("checks a bounded slice of keys per pass and goes on from where the last pass stopped, back to the start after the last key", async () => {
    const f = await start([{ name: "a" }, { name: "b", maxUsers: 0 }]);
    for (let id = 1; id <= 5; id++) await getOrCreateKey(keyDeps(f), { telegramId: id });
    const sweep = { after: null as string | null };
    const sliced = (over: Partial<StandbyPassDeps["standby"]> = {}) => runStandbyPass({ ...deps(f), standby: { ...deps(f).standby, sweep, sweepChunk: 2, ...over } }, 20_000);
    expect(await sliced()).toMatchObject({ placed: 2 });
    expect(sweep.after).not.toBeNull();
    expect(await sliced()).toMatchObject({ placed: 2 });
    expect(await sliced()).toMatchObject({ placed: 1 });
    expect(sweep.after).toBeNull();
    expect((await nodeRow("b")).standbyReservedCount).toBe(5);
    // One more user, placed when the sweep comes round to it; the rest have theirs.
    await getOrCreateKey(keyDeps(f), { telegramId: 6 });
    let placed = 0;
    for (let i = 0; i < 3; i++) placed += (await sliced()).placed;
    expect(placed).toBe(1);
    expect((await rolesOf(6)).standby).toBe("b");
  });
});
