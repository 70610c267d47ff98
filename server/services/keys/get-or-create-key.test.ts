import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import * as schema from "@/server/db/schema";
import { assignments, nodes } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { fleetSuite } from "@/server/testing/fleet-suite";
import { PanelError, type PanelClient } from "@/server/x3ui/types";
import { nodeTag } from "./client-identity";
import { getOrCreateKey, placeAndRead } from "./get-or-create-key";
import { CLIENT_EMAIL_PREFIX, type KeyDeps, type PanelFactory } from "./key-deps";
import { refreshKey } from "./refresh-key";
import { revokeKey } from "./revoke-key";
import { getUserKey } from "./get-user-key";
import { withNodeWriter } from "./node-writer";
import { createPanelQueue } from "@/server/x3ui/panel-queue";
import type { NodeSpec, SimulatedFleet } from "./testing/simulated-fleet";

const suite = fleetSuite(["nodes", "vpn_users", "assignments", "events", "operations"], { maxConnections: 30 });
const start = (specs: NodeSpec[]): Promise<SimulatedFleet> => suite.start(specs);

function depsFor(panelFor: PanelFactory, extra: Partial<KeyDeps> = {}): KeyDeps {
  return { db: suite.db(), panelFor, publicUrl: "https://fleet.example.com", inFlightWaitMs: 20_000, ...extra };
}

/** Counts panel calls per method across every node. */
function counting(panelFor: PanelFactory) {
  const calls: string[] = [];
  const factory: PanelFactory = (node) => {
    const inner = panelFor(node);
    return new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls.push(String(prop));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as PanelClient;
  };
  return { factory, calls };
}

const ourClients = (f: SimulatedFleet, name: string) =>
  f.panel(name).state.clients().filter((c) => String(c.email).startsWith(CLIENT_EMAIL_PREFIX));

async function reserved(name: string): Promise<number> {
  const [row] = await suite.db().select({ n: nodes.reservedCount }).from(nodes).where(eq(nodes.name, name));
  return row?.n ?? -1;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (e) {
    return e instanceof AppError ? e.code : `unexpected ${String(e)}`;
  }
}

describe("getOrCreateKey", () => {
  it("creates a client with our prefix, the node's tag and our id, and stores the link built with the public host override", async () => {
    const f = await start([{ name: "nl-1", location: "NL", publicHost: "nl1.vpn.example", publicPort: 8443 }]);
    const key = await getOrCreateKey(depsFor(f.panelFor), { telegramId: 1001, username: "alice" });
    expect(key.key).toMatch(/^vless:\/\/[0-9a-f-]{36}@nl1\.vpn\.example:8443\?.*#NL%20%C2%B7%20nl-1$/);
    expect(key.subscriptionUrl).toMatch(/^https:\/\/fleet\.example\.com\/sub\/[\w-]{32}$/);
    expect(key.node).toMatchObject({ name: "nl-1", location: "NL" });
    const clients = ourClients(f, "nl-1");
    expect(clients).toHaveLength(1);
    expect(String(clients[0]?.email)).toBe(`fleet-1001-${nodeTag(f.node("nl-1").id)}-${String(clients[0]?.email).slice(-12)}`);
    expect(String(clients[0]?.email)).toMatch(/^fleet-1001-[0-9a-f]{12}-[0-9a-f]{12}$/);
    expect(key.key).toContain(String(clients[0]?.id));
    expect(await reserved("nl-1")).toBe(1);
    const [row] = await suite.db().select().from(assignments);
    expect(row?.placementReason).toMatchObject({ strategy: "balancer", chosenNodeId: f.node("nl-1").id });
  });

  it("answers a returning user from the database with no panel call", async () => {
    const f = await start([{ name: "nl-1" }]);
    await getOrCreateKey(depsFor(f.panelFor), { telegramId: 1002 });
    const { factory, calls } = counting(f.panelFor);
    const again = await getOrCreateKey(depsFor(factory), { telegramId: 1002 });
    expect(calls).toEqual([]);
    expect(again.key).toBe((await getUserKey(depsFor(f.panelFor), { telegramId: 1002 })).key);
  });

  it("50 concurrent identical requests create one panel client and every success carries the same key", async () => {
    const f = await start([{ name: "a" }, { name: "b" }]);
    const { factory, calls } = counting(f.panelFor);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => getOrCreateKey(depsFor(factory), { telegramId: 1003 })));
    const keys = new Set(results.flatMap((r) => (r.status === "fulfilled" ? [r.value.key] : [])));
    const errors = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as AppError).code] : []));
    expect(keys.size).toBe(1);
    expect(errors.every((c) => c === "IN_FLIGHT")).toBe(true);
    expect(calls.filter((c) => c === "addClient")).toHaveLength(1);
    expect(ourClients(f, "a").length + ourClients(f, "b").length).toBe(1);
    expect((await reserved("a")) + (await reserved("b"))).toBe(1);
  });

  it("a node with room for one takes exactly one of 20 concurrent new users", async () => {
    // "tight" scores best (0.8 load at priority 1000 = 0.08 against 0.5) but has one place left.
    const f = await start([
      { name: "tight", maxUsers: 5, reservedCount: 4, priority: 1000 },
      { name: "roomy", maxUsers: 100, reservedCount: 50 },
    ]);
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => getOrCreateKey(depsFor(f.panelFor), { telegramId: 2000 + i })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(20);
    const placed = results.flatMap((r) => (r.status === "fulfilled" ? [r.value.node.name] : []));
    expect(placed.filter((n) => n === "tight")).toHaveLength(1);
    expect(await reserved("tight")).toBe(5);
    expect(await reserved("roomy")).toBe(69);
    expect(ourClients(f, "tight")).toHaveLength(1);
    expect(ourClients(f, "roomy")).toHaveLength(19);
  });

  it("a new user's reservation, writer lease, user row and pending row take one statement: four statements in all, panel call aside", async () => {
    const f = await start([{ name: "a" }, { name: "b" }]);
    const statements: string[] = [];
    const client = postgres(suite.url(), { max: 2, onnotice: () => {} });
    const logged = drizzle(client, { schema, casing: "snake_case", logger: { logQuery: (query) => statements.push(query) } });
    const key = await getOrCreateKey({ ...depsFor(f.panelFor), db: logged }, { telegramId: 1010, username: "new" }).finally(() => client.end());
    // The returning-user read, the ranking, the placement (which takes the writer's lease too), the activation (which releases it).
    expect(statements).toHaveLength(4);
    expect(statements.filter((q) => /^(begin|commit)/i.test(q))).toEqual([]);
    const [row] = await suite.db().select().from(assignments).where(eq(assignments.clientEmail, ourClients(f, key.node.name)[0]?.email as string));
    expect(row).toMatchObject({ state: "active", shareLink: key.key, settleBy: null });
    expect((await reserved("a")) + (await reserved("b"))).toBe(1);
  });

  it("a new user whose best node's writer lease another replica holds: reserved and pending at once, the panel call waits for the lease, one client", async () => {
    const f = await start([{ name: "only" }]);
    const [node] = await suite.db().select({ id: nodes.id }).from(nodes).where(eq(nodes.name, "only"));
    let release = () => {};
    let isHeld = () => {};
    const held = new Promise<void>((resolve) => (isHeld = resolve));
    // Another replica: its own in-process queue, so only the lease in the database stands between them.
    const other = withNodeWriter({ db: suite.db(), writer: { queue: createPanelQueue() } }, node!.id, async () => {
      isHeld();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await held;
    const { factory, calls } = counting(f.panelFor);
    const placing = getOrCreateKey(depsFor(factory), { telegramId: 1040 });
    await expect.poll(() => reserved("only"), { timeout: 10_000 }).toBe(1);
    const [pending] = await suite.db().select({ state: assignments.state, settleBy: assignments.settleBy }).from(assignments);
    expect(pending?.state).toBe("pending");
    expect(pending?.settleBy).not.toBeNull();
    expect(calls).toEqual([]);
    release();
    await other;
    const key = await placing;
    expect(key.node.name).toBe("only");
    expect(ourClients(f, "only")).toHaveLength(1);
    const [lease] = await suite.db().select({ owner: nodes.mutationLeaseOwner, until: nodes.mutationLeaseUntil }).from(nodes);
    expect(lease).toEqual({ owner: null, until: null });
  });

  it("two new users racing for a node's last place: one gets it, the other the next node, and the loser's one statement leaves nothing behind", async () => {
    const f = await start([
      { name: "last", maxUsers: 1, priority: 1000 },
      { name: "other", maxUsers: 1 },
    ]);
    const keys = await Promise.all([1020, 1021].map((telegramId) => getOrCreateKey(depsFor(f.panelFor), { telegramId })));
    expect(keys.map((k) => k.node.name).sort()).toEqual(["last", "other"]);
    expect(await reserved("last")).toBe(1);
    expect(await reserved("other")).toBe(1);
    expect(ourClients(f, "last")).toHaveLength(1);
    expect(ourClients(f, "other")).toHaveLength(1);
    const third = await codeOf(getOrCreateKey(depsFor(f.panelFor), { telegramId: 1022 }));
    expect(third).toBe("NO_CAPACITY");
    // The user row goes with the reservation that failed: no user without a key is left behind.
    const [{ users }] = (await suite.db().execute(sql`SELECT count(*)::int AS users FROM vpn_users WHERE telegram_id = 1022`)) as unknown as [{ users: number }];
    expect(users).toBe(0);
  });

  it("a user created by another request between the read and the one-statement path keeps their one key", async () => {
    const f = await start([{ name: "a" }, { name: "b" }]);
    const first = await getOrCreateKey(depsFor(f.panelFor), { telegramId: 1030 });
    // As if this request had read "no such user" just before the first one committed.
    const again = await placeAndRead(depsFor(f.panelFor), { telegramId: 1030, mode: "replace-unservable", isNewUser: true });
    expect(again.key).toBe(first.key);
    expect(ourClients(f, "a").length + ourClients(f, "b").length).toBe(1);
    expect((await reserved("a")) + (await reserved("b"))).toBe(1);
  });

  it("never oversubscribes: more concurrent users than places answer NO_CAPACITY for the rest", async () => {
    const f = await start([{ name: "small", maxUsers: 3 }]);
    const codes = await Promise.all(Array.from({ length: 10 }, (_, i) => codeOf(getOrCreateKey(depsFor(f.panelFor), { telegramId: 3000 + i }))));
    expect(codes.filter((c) => c === "ok")).toHaveLength(3);
    expect(codes.filter((c) => c === "NO_CAPACITY")).toHaveLength(7);
    expect(await reserved("small")).toBe(3);
    expect(ourClients(f, "small")).toHaveLength(3);
  });

  it("sends the request to the next node when a panel fails, leaving no client and no reservation behind", async () => {
    const f = await start([{ name: "best" }, { name: "next", reservedCount: 10 }]);
    f.panel("best").faults.http500 = true;
    const key = await getOrCreateKey(depsFor(f.panelFor), { telegramId: 4001 });
    expect(key.node.name).toBe("next");
    f.panel("best").faults.http500 = false;
    expect(ourClients(f, "best")).toHaveLength(0);
    expect(ourClients(f, "next")).toHaveLength(1);
    expect(await reserved("best")).toBe(0);
    expect(await reserved("next")).toBe(11);
    const [row] = await suite.db().select().from(assignments);
    expect(row?.placementReason?.note).toContain("best failed");
  });

  it("answers PANELS_UNAVAILABLE when every candidate fails, and releases every reservation", async () => {
    const f = await start([{ name: "a" }, { name: "b" }]);
    f.panel("a").faults.http500 = true;
    f.panel("b").faults.http500 = true;
    expect(await codeOf(getOrCreateKey(depsFor(f.panelFor), { telegramId: 4002 }))).toBe("PANELS_UNAVAILABLE");
    expect(await reserved("a")).toBe(0);
    expect(await reserved("b")).toBe(0);
    const rows = await suite.db().select().from(assignments);
    expect(rows.map((r) => r.state)).toEqual(["failed"]);
  });

  it("answers NO_CAPACITY when nothing eligible has room: full, draining, unhealthy or awaiting reconcile", async () => {
    const f = await start([
      { name: "full", maxUsers: 1, reservedCount: 1 },
      { name: "draining", adminState: "draining" },
      { name: "down", healthState: "unhealthy" },
      { name: "dirty", needsReconcile: true },
    ]);
    expect(await codeOf(getOrCreateKey(depsFor(f.panelFor), { telegramId: 4003 }))).toBe("NO_CAPACITY");
  });

  it("treats a timed-out add as unknown: never placed elsewhere; the next request reads it back and returns that key", async () => {
    const f = await start([{ name: "slow" }, { name: "fine", reservedCount: 10 }]);
    // The panel applies the add but the answer is lost.
    const lossy: PanelFactory = (node) => {
      const inner = f.panelFor(node);
      if (node.name !== "slow") return inner;
      return Object.assign(Object.create(inner) as PanelClient, {
        addClient: async (...args: Parameters<PanelClient["addClient"]>) => {
          await inner.addClient(...args);
          throw new PanelError("timeout", "no answer");
        },
      });
    };
    const deps = depsFor(lossy, { ejection: { baseMs: 100 } });
    const first = await getOrCreateKey(deps, { telegramId: 4004 }).catch((e: unknown) => e);
    expect(first).toMatchObject({ code: "KEY_PENDING", httpStatus: 503 });
    expect((first as AppError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(ourClients(f, "fine")).toHaveLength(0);
    // While the node is in its cool-off the answer stays "retry", with no panel call at all.
    expect(await codeOf(getOrCreateKey(deps, { telegramId: 4004 }))).toBe("KEY_PENDING");
    await new Promise((r) => setTimeout(r, 150));
    const key = await getOrCreateKey(deps, { telegramId: 4004 });
    expect(key.node.name).toBe("slow");
    expect(ourClients(f, "slow")).toHaveLength(1);
    expect(ourClients(f, "fine")).toHaveLength(0);
    expect(await reserved("slow")).toBe(1);
  });

  it("a timed-out add that did not land is settled as failed by the next request, which places the user again", async () => {
    const f = await start([{ name: "lost" }, { name: "fine", reservedCount: 10 }]);
    let drops = 1;
    const dropping: PanelFactory = (node) => {
      const inner = f.panelFor(node);
      if (node.name !== "lost") return inner;
      return Object.assign(Object.create(inner) as PanelClient, {
        addClient: (...args: Parameters<PanelClient["addClient"]>) => (drops-- > 0 ? Promise.reject(new PanelError("timeout", "no answer")) : inner.addClient(...args)),
      });
    };
    const deps = depsFor(dropping, { ejection: { baseMs: 100 } });
    expect(await codeOf(getOrCreateKey(deps, { telegramId: 4005 }))).toBe("KEY_PENDING");
    await new Promise((r) => setTimeout(r, 150));
    const key = await getOrCreateKey(deps, { telegramId: 4005 });
    expect(ourClients(f, key.node.name)).toHaveLength(1);
    expect((await reserved("lost")) + (await reserved("fine"))).toBe(11);
    const states = (await suite.db().select().from(assignments)).map((a) => a.state).sort();
    expect(states).toEqual(["active", "failed"]);
  });

  it("a request whose writer lease lapsed mid-attempt (another writer took the node) finishes its own key on that node: no IN_FLIGHT, one client", async () => {
    const f = await start([{ name: "a" }]);
    let isStolen = false;
    const steps: KeyDeps["steps"] = async (step) => {
      if (step !== "placement.created" || isStolen) return;
      isStolen = true;
      // What a stall longer than the lease looks like to this request: someone else holds the node now.
      await suite.db().update(nodes).set({ mutationFence: sql`${nodes.mutationFence} + 1` });
    };
    const key = await getOrCreateKey(depsFor(f.panelFor, { steps, inFlightWaitMs: 200 }), { telegramId: 2301 });
    expect(isStolen).toBe(true);
    expect(ourClients(f, "a")).toHaveLength(1);
    expect(key.key).toContain(String(ourClients(f, "a")[0]?.id));
    const [row] = await suite.db().select().from(assignments);
    expect(row).toMatchObject({ state: "active", nodeId: f.node("a").id });
    expect(await reserved("a")).toBe(1);
  });

  it("moves a user whose node became unhealthy, and removes the old client when it can", async () => {
    const f = await start([{ name: "old" }, { name: "new", reservedCount: 10 }]);
    const first = await getOrCreateKey(depsFor(f.panelFor), { telegramId: 4006 });
    expect(first.node.name).toBe("old");
    await suite.db().update(nodes).set({ healthState: "unhealthy" }).where(eq(nodes.name, "old"));
    const second = await getOrCreateKey(depsFor(f.panelFor), { telegramId: 4006 });
    expect(second.node.name).toBe("new");
    expect(second.subscriptionUrl).toBe(first.subscriptionUrl);
    expect(await reserved("old")).toBe(0);
    expect(await reserved("new")).toBe(11);
    // The old panel is unhealthy: its client waits for the reconciler, in state revoking.
    const states = (await suite.db().select().from(assignments)).map((a) => a.state).sort();
    expect(states).toEqual(["active", "revoking"]);
  });
});

describe("refreshKey and revokeKey", () => {
  it("refresh issues a new client and deletes the old one; the subscription URL stays", async () => {
    const f = await start([{ name: "a" }]);
    const before = await getOrCreateKey(depsFor(f.panelFor), { telegramId: 5001 });
    const oldEmail = String(ourClients(f, "a")[0]?.email);
    const after = await refreshKey(depsFor(f.panelFor), { telegramId: 5001 });
    expect(after.key).not.toBe(before.key);
    expect(after.subscriptionUrl).toBe(before.subscriptionUrl);
    const clients = ourClients(f, "a");
    expect(clients).toHaveLength(1);
    expect(clients[0]?.email).not.toBe(oldEmail);
    expect(await reserved("a")).toBe(1);
    const states = (await suite.db().select().from(assignments)).map((a) => a.state).sort();
    expect(states).toEqual(["active", "revoked"]);
  });

  it("refresh keeps the old key when no node can take the new one", async () => {
    const f = await start([{ name: "a" }]);
    const before = await getOrCreateKey(depsFor(f.panelFor), { telegramId: 5002 });
    await f.panel("a").faults.down();
    expect(await codeOf(refreshKey(depsFor(f.panelFor), { telegramId: 5002 }))).toBe("PANELS_UNAVAILABLE");
    await f.panel("a").faults.up();
    expect((await getUserKey(depsFor(f.panelFor), { telegramId: 5002 })).key).toBe(before.key);
    expect(await reserved("a")).toBe(1);
  });

  it("revoke deletes the client and frees the place; a second revoke is NOT_FOUND", async () => {
    const f = await start([{ name: "a" }]);
    await getOrCreateKey(depsFor(f.panelFor), { telegramId: 5003 });
    const result = await revokeKey(depsFor(f.panelFor), { telegramId: 5003 });
    expect(result).toEqual({ telegramId: 5003, revoked: true, removedFromPanel: true, disabledOnPanel: false });
    expect(ourClients(f, "a")).toHaveLength(0);
    expect(await reserved("a")).toBe(0);
    expect(await codeOf(revokeKey(depsFor(f.panelFor), { telegramId: 5003 }))).toBe("NOT_FOUND");
    expect(await codeOf(getUserKey(depsFor(f.panelFor), { telegramId: 5003 }))).toBe("NOT_FOUND");
  });
});
