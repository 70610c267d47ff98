/**
 * The crash-safety observations, each reproduced: faults injected between our code and simulated
 * panels (a fault proxy), replicas crashing between the steps of every key flow, two replicas on
 * one database. After every fault the invariants are checked BEFORE any reconcile (the user's next
 * request must be enough) and after one.
 */
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { assignments, nodes, operationItems, operations, vpnUsers } from "@/server/db/schema";
import { AppError, toAppError } from "@/server/errors";
import { systemClock } from "@/server/services/clock";
import { migrateItem } from "@/server/services/migration/migrate-item";
import { recoverStrandedWork } from "@/server/services/migration/run-fleet-operations";
import type { MigrationDeps } from "@/server/services/migration/migration-deps";
import { reconcileNode, type ReconcileDeps } from "@/server/services/reconcile/reconcile-node";
import { getSubscription } from "@/server/services/subscriptions/get-subscription";
import { rowsOf } from "@/server/db/migrate";
import type { Fault } from "@/server/x3ui/testing/fault-proxy";
import { startTcpProxy } from "@/server/testing/tcp-proxy";
import { getOrCreateKey } from "./get-or-create-key";
import { newAssignmentIdentity } from "./client-identity";
import { CLIENT_EMAIL_PREFIX, type KeyStep } from "./key-deps";
import { refreshKey } from "./refresh-key";
import { revokeKey } from "./revoke-key";
import { settleStrandedOnDeadNodes } from "./settle-in-flight";
import { expireInFlight, findInvariantViolations } from "./testing/invariants";
import { startReplica, TEST_WRITER, type Replica } from "./testing/replica";
import { replicaSuite } from "@/server/testing/replica-suite";
import type { NodeSpec } from "./testing/simulated-fleet";

const suite = replicaSuite(["nodes", "vpn_users", "assignments", "events", "operations"]);

const start = (specs: NodeSpec[], options: { timeoutMs?: number } = {}) => suite.start(specs, { proxied: true, timeoutMs: options.timeoutMs ?? 1_000 });

const reconcileDeps = (r: Replica): ReconcileDeps => ({ ...r.deps, graceMs: 0, maxActions: 1_000 });
const migrationDeps = (r: Replica): MigrationDeps => ({ ...r.deps, clock: systemClock, notifications: { webhook: null, telegram: null } });

async function invariants(options: { settled?: boolean } = {}): Promise<string[]> {
  return findInvariantViolations(suite.db(), suite.fleet, options);
}

/** Every node reconciled by `r`. */
async function reconcileAll(r: Replica): Promise<void> {
  for (const node of suite.fleet.nodes) await reconcileNode(reconcileDeps(r), node.id);
}

/** Our clients on every panel, as telegram id → [node name, enabled][] . */
function clientsOf(telegramId: number): { node: string; enable: boolean }[] {
  const found: { node: string; enable: boolean }[] = [];
  for (const node of suite.fleet.nodes) {
    for (const c of suite.fleet.panel(node.name).state.clients()) {
      if (String(c.email).startsWith(`${CLIENT_EMAIL_PREFIX}${telegramId}-`)) found.push({ node: node.name, enable: c.enable !== false });
    }
  }
  return found;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "ok",
    (e: unknown) => (e instanceof AppError ? e.code : `unexpected: ${String(e)}`),
  );
}

/** Past the deadline of whatever the dead replica owned, and past its lease. */
async function outliveTheDead(): Promise<void> {
  await expireInFlight(suite.db());
  await new Promise((r) => setTimeout(r, TEST_WRITER.ttlMs + 100));
}

const ADDS = /addClient|clients\/add/;

describe("obs. 1 — a write that landed but whose answer was lost or spoilt is read back, never retried elsewhere", () => {
  it.each<[string, Fault]>([
    ["a 200 whose body is not JSON", { kind: "garble-after" }],
    ["a 500 after the write", { kind: "http500-after" }],
    ["a reset after the write", { kind: "reset-after" }],
  ])("%s: 6 users on 3 panels get 6 clients, one each, all working", async (_label, fault) => {
    const { f, a, b } = await start([{ name: "n1" }, { name: "n2" }, { name: "n3" }]);
    for (const node of f.nodes) f.proxy(node.name).setRules([{ method: "POST", path: ADDS, fault }]);
    const ids = [101, 102, 103, 104, 105, 106];
    const keys = await Promise.all(ids.map((id, i) => getOrCreateKey((i % 2 ? a : b).deps, { telegramId: id })));
    expect(new Set(keys.map((k) => k.key)).size).toBe(6);
    for (const id of ids) expect(clientsOf(id)).toHaveLength(1);
    expect(await invariants({ settled: true })).toEqual([]);
  });

  it("the write lands and the panel hangs: the user is never created on another node; answered KEY_PENDING, then settled to that key", async () => {
    const { f, a, b } = await start([{ name: "a-hangs" }, { name: "b-fine", priority: 50 }]);
    f.proxy("a-hangs").setRules([{ method: "POST", path: ADDS, fault: { kind: "land-then-hang" }, times: 1 }]);
    const first = await getOrCreateKey(a.deps, { telegramId: 201 }).catch((e: unknown) => e);
    expect(first).toMatchObject({ code: "KEY_PENDING" });
    expect(clientsOf(201)).toEqual([{ node: "a-hangs", enable: true }]);
    // Other replicas see the node's cool-off too, and answer the same without touching any panel.
    expect(await codeOf(getOrCreateKey(b.deps, { telegramId: 201 }))).toBe("KEY_PENDING");
    expect(clientsOf(201)).toHaveLength(1);
    expect(await invariants()).toEqual([]);

    f.proxy("a-hangs").heal();
    await new Promise((r) => setTimeout(r, 1_100));
    const key = await getOrCreateKey(b.deps, { telegramId: 201 });
    expect(key.node.name).toBe("a-hangs");
    expect(clientsOf(201)).toEqual([{ node: "a-hangs", enable: true }]);
    expect(await invariants({ settled: true })).toEqual([]);
  });
});

describe("obs. 2 — work a dead request left in flight is taken over, never blocking its user", () => {
  it.each<KeyStep>(["placement.reserved", "placement.created"])("a crash at %s: IN_FLIGHT only until the deadline, then the next request gets the key (no twin), and /sub serves it", async (step) => {
    const { a, b } = await start([{ name: "n1" }, { name: "n2", priority: 50 }]);
    a.crashAt(step);
    await getOrCreateKey(a.deps, { telegramId: 301 }).catch(() => {});
    expect(a.hasCrashed).toBe(true);
    expect(await invariants()).toEqual([]);

    const early = await getOrCreateKey(b.deps, { telegramId: 301 }).catch((e: unknown) => e);
    expect(early).toMatchObject({ code: "IN_FLIGHT" });
    expect((early as AppError).retryAfterSeconds).toBeGreaterThanOrEqual(1);

    await outliveTheDead();
    const key = await getOrCreateKey(b.deps, { telegramId: 301 });
    expect(clientsOf(301)).toEqual([{ node: key.node.name, enable: true }]);
    const [user] = await suite.db().select().from(vpnUsers).where(eq(vpnUsers.telegramId, 301));
    expect(await getSubscription({ db: suite.db() }, user!.subscriptionToken)).toMatchObject({ kind: "links", links: [key.key] });
    expect(await invariants({ settled: true })).toEqual([]);
  });

  it("a pending user of a node declared down is placed elsewhere by the failover step", async () => {
    const { a, b } = await start([{ name: "dies" }, { name: "lives", priority: 50 }]);
    a.crashAt("placement.reserved");
    await getOrCreateKey(a.deps, { telegramId: 302 }).catch(() => {});
    await suite.db().update(nodes).set({ healthState: "unhealthy" }).where(eq(nodes.name, "dies"));
    await outliveTheDead();
    const replaced = await settleStrandedOnDeadNodes(b.deps, async (userId) => {
      const [user] = await suite.db().select().from(vpnUsers).where(eq(vpnUsers.id, userId));
      await getOrCreateKey(b.deps, { telegramId: user!.telegramId });
    });
    expect(replaced).toBe(1);
    expect(clientsOf(302)).toEqual([{ node: "lives", enable: true }]);
    expect(await invariants({ settled: true })).toEqual([]);
  });
});

describe("obs. 3 — the reconciler never revives a revoked or moved key", () => {
  it("a revoke landing between the reconciler's panel listing and its reading of the rows is respected", async () => {
    const { f, a, b } = await start([{ name: "n1" }]);
    await getOrCreateKey(a.deps, { telegramId: 401 });
    const node = f.node("n1");
    let revoked = false;
    // The revoke runs while the reconciler is about to list the panel.
    const panelFor: typeof b.deps.panelFor = (n) => {
      const panel = b.deps.panelFor(n);
      return Object.assign(Object.create(panel) as typeof panel, {
        listClients: async (inboundId: number) => {
          if (!revoked) {
            revoked = true;
            await revokeKey(a.deps, { telegramId: 401 });
          }
          return panel.listClients(inboundId);
        },
      });
    };
    const report = await reconcileNode({ ...reconcileDeps(b), panelFor }, node.id);
    expect(report.actions.filter((x) => x.kind === "created")).toEqual([]);
    expect(clientsOf(401)).toEqual([]);
    expect(await invariants({ settled: true })).toEqual([]);
  });
});

describe("obs. 4 — a refresh keeps the old key working and its place reserved until the new one is active", () => {
  it("the new placement fails while another user fills the node: the old key still works", async () => {
    const { f, a, b } = await start([{ name: "a-home", maxUsers: 1 }, { name: "b-broken", maxUsers: 5 }]);
    const before = await getOrCreateKey(a.deps, { telegramId: 501 });
    expect(before.node.name).toBe("a-home");
    // The refresh is sent to "broken" (home is full); while it fails there, a new user arrives.
    let newcomer: Promise<string> | undefined;
    f.proxy("b-broken").setRules([{ method: "POST", path: ADDS, fault: { kind: "http500" } }]);
    const panelFor: typeof a.deps.panelFor = (n) => {
      const panel = a.deps.panelFor(n);
      if (n.name !== "b-broken") return panel;
      return Object.assign(Object.create(panel) as typeof panel, {
        addClient: async (...args: Parameters<typeof panel.addClient>) => {
          newcomer ??= codeOf(getOrCreateKey(b.deps, { telegramId: 502 }));
          await newcomer;
          return panel.addClient(...args);
        },
      });
    };
    expect(await codeOf(refreshKey({ ...a.deps, panelFor }, { telegramId: 501 }))).toBe("PANELS_UNAVAILABLE");
    // The old key kept its place: the newcomer found none on a-home and was placed nowhere (b-broken fails).
    expect(await newcomer).not.toBe("ok");
    const again = await getOrCreateKey(a.deps, { telegramId: 501 });
    expect(again.key).toBe(before.key);
    expect(clientsOf(501)).toEqual([{ node: "a-home", enable: true }]);
    expect(await invariants({ settled: true })).toEqual([]);
    await reconcileAll(b);
    expect(clientsOf(501)).toEqual([{ node: "a-home", enable: true }]);
  });
});

describe("obs. 5 — a panel that refuses to delete (v2 keeps an inbound's last client): the key is switched off, never left working", () => {
  it.each(["2.6.8", "2.9.4"])("v%s: revoke disables the last client, says so, reconciles clean, and deletes it once the inbound has another", async (version) => {
    const { f, a, b } = await start([{ name: "v2", version }]);
    f.panel("v2").state.inbounds[0]!.settings.clients = [];
    await getOrCreateKey(a.deps, { telegramId: 601 });
    const result = await revokeKey(a.deps, { telegramId: 601 });
    expect(result).toEqual({ telegramId: 601, revoked: true, removedFromPanel: false, disabledOnPanel: true });
    expect(clientsOf(601)).toEqual([{ node: "v2", enable: false }]);
    const [row] = await suite.db().select().from(assignments);
    expect(row).toMatchObject({ state: "revoked" });
    expect(row?.panelDisabledAt).toBeInstanceOf(Date);
    expect(await invariants({ settled: true })).toEqual([]);

    // Every later run is clean (not "partial" forever), and the disabled client stays off.
    for (let run = 0; run < 2; run++) {
      const report = await reconcileNode(reconcileDeps(b), f.node("v2").id);
      expect(report.clean).toBe(true);
      expect(report.actions.filter((x) => !x.ok)).toEqual([]);
    }
    expect(clientsOf(601)).toEqual([{ node: "v2", enable: false }]);
    await getOrCreateKey(a.deps, { telegramId: 602 });
    await reconcileNode(reconcileDeps(b), f.node("v2").id);
    expect(clientsOf(601)).toEqual([]);
    expect(await invariants({ settled: true })).toEqual([]);
  });

  it("a user moved off such an inbound: the old client is switched off at once", async () => {
    const { f, a } = await start([{ name: "old", version: "2.9.4" }, { name: "new", adminState: "disabled" }]);
    f.panel("old").state.inbounds[0]!.settings.clients = [];
    await getOrCreateKey(a.deps, { telegramId: 603 });
    await suite.db().update(nodes).set({ adminState: "active" }).where(eq(nodes.name, "new"));
    const [user] = await suite.db().select().from(vpnUsers);
    const [op] = await suite.db().insert(operations).values({ kind: "migration", status: "running", startedBy: "test", total: 1 }).returning();
    const [item] = await suite.db().insert(operationItems).values({ operationId: op!.id, userId: user!.id, fromNodeId: f.node("old").id }).returning();
    expect(await migrateItem(migrationDeps(a), item!, "manual")).toMatchObject({ status: "succeeded", sourceCleaned: true });
    expect(clientsOf(603).sort((x, y) => x.node.localeCompare(y.node))).toEqual([
      { node: "new", enable: true },
      { node: "old", enable: false },
    ]);
    expect(await invariants({ settled: true })).toEqual([]);
  });
});

describe("obs. 6 — one writer per panel that a crash cannot block and a slow call cannot lose", () => {
  it("a replica that died holding a node's writer delays the survivor by one short lease, not 30 s", async () => {
    const { a, b } = await start([{ name: "n1" }]);
    a.crashAt("placement.created");
    await getOrCreateKey(a.deps, { telegramId: 701 }).catch(() => {});
    const started = performance.now();
    await getOrCreateKey(b.deps, { telegramId: 702 });
    expect(performance.now() - started).toBeLessThan(TEST_WRITER.ttlMs + 1_000);
    expect(await invariants()).toEqual([]);
  });

  it("refreshes in opposite directions on two replicas never deadlock, and the counts stay exact", async () => {
    const { f, a, b } = await start([{ name: "x", maxUsers: 50 }, { name: "y", maxUsers: 50 }]);
    const ids = Array.from({ length: 12 }, (_, i) => 800 + i);
    for (const id of ids) await getOrCreateKey(a.deps, { telegramId: id });
    // Every other add fails on both nodes, so placements keep moving between them in both directions.
    for (const name of ["x", "y"]) f.proxy(name).setRules([{ method: "POST", path: ADDS, fault: { kind: "http500" }, times: 6 }]);
    const codes = await Promise.all(ids.map((id, i) => codeOf(refreshKey((i % 2 ? a : b).deps, { telegramId: id }))));
    expect(codes.filter((c) => c.startsWith("unexpected"))).toEqual([]);
    // Old keys on a node in its cool-off wait for the next cron step, which takes them off.
    await outliveTheDead();
    await recoverStrandedWork(migrationDeps(b));
    expect(await invariants({ settled: true })).toEqual([]);
  });
});

describe("obs. 7 — a hanging panel costs one request its timeout, not every request", () => {
  it("after the first timeout the node is skipped by new placements on every replica until its cool-off ends", async () => {
    const { f, a, b } = await start([{ name: "a-hangs" }, { name: "b-fine", priority: 50 }], { timeoutMs: 800 });
    f.proxy("a-hangs").setRules([{ fault: { kind: "hang" } }]);
    const hanging = f.proxy("a-hangs").log;
    const started = performance.now();
    await getOrCreateKey(a.deps, { telegramId: 900 }).catch(() => {});
    expect(performance.now() - started).toBeGreaterThan(700);
    const seenByFirst = hanging.length;
    expect(seenByFirst).toBeGreaterThan(0);
    for (const [i, replica] of [b, a, b, a].entries()) await getOrCreateKey(replica.deps, { telegramId: 901 + i });
    // Nobody after the first request sent the hanging panel anything, so nobody waited for it.
    expect(hanging.length).toBe(seenByFirst);
    for (const id of [901, 902, 903, 904]) expect(clientsOf(id)).toEqual([{ node: "b-fine", enable: true }]);
    expect(await invariants()).toEqual([]);
  });
});

describe("obs. 8 — the database going away in the middle of a request", () => {
  it("cut right after the panel call: 503 UNAVAILABLE at once; after the outage the key that was made comes back, no twin", async () => {
    const { f, b } = await start([{ name: "n1" }, { name: "n2", priority: 50 }]);
    const target = new URL(suite.url());
    const db = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    try {
      target.host = `127.0.0.1:${db.port}`;
      const direct = f.newPanelFactory();
      const cutAfterAdd: typeof direct = (node) => {
        const panel = direct(node);
        return Object.assign(Object.create(panel) as typeof panel, {
          addClient: async (...args: Parameters<typeof panel.addClient>) => {
            await panel.addClient(...args);
            db.cut();
          },
        });
      };
      const viaProxy = startReplica("via-proxy", target.toString(), f, { panelFor: cutAfterAdd });
      suite.track(viaProxy);
      const started = performance.now();
      const error = await getOrCreateKey(viaProxy.deps, { telegramId: 1_100 }).catch((e: unknown) => e);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(toAppError(error)).toMatchObject({ code: "UNAVAILABLE", httpStatus: 503, retryAfterSeconds: expect.any(Number) as number });
      expect(clientsOf(1_100)).toHaveLength(1);

      db.restore();
      // Its request still owns the placement until the deadline: the retry is told when to come back.
      const early = await getOrCreateKey({ ...b.deps, inFlightWaitMs: 0 }, { telegramId: 1_100 }).catch((e: unknown) => e);
      expect(early).toMatchObject({ code: "IN_FLIGHT" });
      await outliveTheDead();
      const key = await getOrCreateKey(b.deps, { telegramId: 1_100 });
      expect(clientsOf(1_100)).toEqual([{ node: key.node.name, enable: true }]);
      expect(await invariants({ settled: true })).toEqual([]);
    } finally {
      await db.close();
    }
  });
});

describe("item 11 — a replica crashing between any two steps of every flow: invariants hold before any reconcile", () => {
  type Flow = "place" | "refresh" | "revoke" | "migrate";
  const cases: [Flow, KeyStep][] = [
    ["place", "placement.reserved"],
    ["place", "placement.created"],
    ["refresh", "placement.reserved"],
    ["refresh", "placement.created"],
    ["refresh", "placement.activated"],
    ["refresh", "retire.removed"],
    ["revoke", "retire.marked"],
    ["revoke", "retire.removed"],
    ["migrate", "placement.reserved"],
    ["migrate", "placement.created"],
    ["migrate", "placement.activated"],
    ["migrate", "retire.removed"],
  ];

  it.each(cases)("%s, crash at %s", async (flow, step) => {
    const { f, a, b } = await start([{ name: "n1" }, { name: "n2", priority: 50 }]);
    const id = 1_000;
    if (flow !== "place") await getOrCreateKey(b.deps, { telegramId: id });
    let item: { id: number; userId: string | null; fromNodeId: string | null; toNodeId: string | null } | undefined;
    if (flow === "migrate") {
      const [user] = await suite.db().select().from(vpnUsers);
      const [op] = await suite.db().insert(operations).values({ kind: "migration", status: "running", startedBy: "test", total: 1 }).returning();
      [item] = await suite.db().insert(operationItems).values({ operationId: op!.id, userId: user!.id, fromNodeId: f.node("n1").id }).returning();
    }

    a.crashAt(step);
    const run = { place: () => getOrCreateKey(a.deps, { telegramId: id }), refresh: () => refreshKey(a.deps, { telegramId: id }), revoke: () => revokeKey(a.deps, { telegramId: id }), migrate: () => migrateItem(migrationDeps(a), item!, "manual") }[flow];
    await run().catch(() => {});
    expect(a.hasCrashed).toBe(true);
    expect(await invariants()).toEqual([]);

    await outliveTheDead();
    // What comes next without any reconcile: the bot repeats its request, or the failover step recovers the move.
    if (flow === "revoke") await revokeKey(b.deps, { telegramId: id }).catch((e: unknown) => expect(e).toMatchObject({ code: "NOT_FOUND" }));
    else if (flow === "migrate") await recoverStrandedWork(migrationDeps(b));
    else await getOrCreateKey(b.deps, { telegramId: id });
    expect(await invariants({ settled: true })).toEqual([]);
    const live = clientsOf(id).filter((c) => c.enable);
    expect(live).toHaveLength(flow === "revoke" ? 0 : 1);

    await reconcileAll(b);
    expect(await invariants({ settled: true })).toEqual([]);
    expect(clientsOf(id).filter((c) => c.enable)).toHaveLength(flow === "revoke" ? 0 : 1);
  });
});

describe("issue 12, item 6 — a subscription URL is replaced in the transaction that revokes or begins a rotating refresh", () => {
  const tokenOf = async (telegramId: number) => {
    const [user] = await suite.db().select({ token: vpnUsers.subscriptionToken }).from(vpnUsers).where(eq(vpnUsers.telegramId, telegramId));
    return user!.token;
  };
  const served = async (token: string) => (await getSubscription({ db: suite.db() }, token)).kind;

  it.each<[string, KeyStep]>([
    ["refresh", "placement.reserved"],
    ["refresh", "placement.created"],
    ["revoke", "retire.marked"],
  ])("a %s that crashes at %s has already retired the old URL; the next request serves the new one", async (flow, step) => {
    const { a, b } = await start([{ name: "n1" }, { name: "n2", priority: 50 }]);
    await getOrCreateKey(b.deps, { telegramId: 1_201 });
    const old = await tokenOf(1_201);

    a.crashAt(step);
    await (flow === "refresh" ? refreshKey(a.deps, { telegramId: 1_201, rotateSubscription: true }) : revokeKey(a.deps, { telegramId: 1_201 })).catch(() => {});
    expect(a.hasCrashed).toBe(true);
    expect(await served(old)).toBe("not-found");
    const current = await tokenOf(1_201);
    expect(current).not.toBe(old);

    await outliveTheDead();
    if (flow === "revoke") {
      expect(await codeOf(revokeKey(b.deps, { telegramId: 1_201 }))).toBe("ok");
      // Finishing the dead request's revoke does not move the URL again.
      expect(await tokenOf(1_201)).toBe(current);
      expect(await served(current)).toBe("empty");
    } else {
      const key = await getOrCreateKey(b.deps, { telegramId: 1_201 });
      expect(key.subscriptionUrl.endsWith(`/sub/${current}`)).toBe(true);
      expect(await getSubscription({ db: suite.db() }, current)).toMatchObject({ kind: "links", links: [key.key] });
    }
    expect(await invariants({ settled: true })).toEqual([]);
  });

  it("a refresh refused inside its transaction (a switched-off user) leaves the URL as it was", async () => {
    const { a } = await start([{ name: "n1" }]);
    await getOrCreateKey(a.deps, { telegramId: 1_202 });
    const old = await tokenOf(1_202);
    await suite.db().update(vpnUsers).set({ status: "disabled" }).where(eq(vpnUsers.telegramId, 1_202));
    expect(await codeOf(refreshKey(a.deps, { telegramId: 1_202, rotateSubscription: true }))).toBe("FORBIDDEN");
    expect(await tokenOf(1_202)).toBe(old);
  });

  it("a rotating refresh that meets another request's placement of the user (a move, not yet committed) still replaces the URL", async () => {
    const { f, a } = await start([{ name: "n1" }]);
    await getOrCreateKey(a.deps, { telegramId: 1_203 });
    const old = await tokenOf(1_203);
    const [user] = await suite.db().select().from(vpnUsers).where(eq(vpnUsers.telegramId, 1_203));
    // Another request's placement, inserted but not yet committed when ours tries to insert its own.
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    let inserted!: () => void;
    const isInserted = new Promise<void>((resolve) => (inserted = resolve));
    const other = suite.db().transaction(async (tx) => {
      const node = f.node("n1");
      const identity = newAssignmentIdentity(CLIENT_EMAIL_PREFIX, 1_203, node.id);
      await tx.insert(assignments).values({
        id: identity.assignmentId,
        userId: user!.id,
        nodeId: node.id,
        inboundId: node.inboundId,
        clientId: identity.clientId,
        clientEmail: identity.clientEmail,
        state: "pending",
        settleBy: sql`now() + interval '1 minute'`,
      });
      inserted();
      await committing;
    });
    await isInserted;
    const refresh = refreshKey(a.deps, { telegramId: 1_203, rotateSubscription: true });
    // Ours waits for the other's transaction (its row references the user's), then finds its row pending.
    for (let i = 0; i < 200; i++) {
      const [waiting] = rowsOf<{ n: number }>(
        await suite.db().execute(sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`),
      );
      if (waiting!.n > 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    commit();
    await other;
    // The other request's row stays pending: ours answers with the user's active key, under the new URL.
    const answer = await refresh;
    expect(await served(old)).toBe("not-found");
    expect(await tokenOf(1_203)).not.toBe(old);
    expect(answer.subscriptionUrl.endsWith(`/sub/${await tokenOf(1_203)}`)).toBe(true);
  });
});
