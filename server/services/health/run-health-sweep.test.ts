import { asc, count, eq, inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import * as schema from "@/server/db/schema";
import { auditLog, events, healthChecks, healthQuarterHours, nodes } from "@/server/db/schema";
import { startTcpProxy } from "@/server/testing/tcp-proxy";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { startSimulators, type SimulatedPanel } from "@/server/x3ui/simulator";
import type { PanelClient, ServerStatus } from "@/server/x3ui/types";
import type { FleetMetrics } from "@/server/metrics/fleet-metrics";
import type { Actor } from "../actor";
import { createNode } from "../nodes/create-node";
import { createTestActor } from "@/server/testing/test-actor";
import { addSimulatedNodes, nodeInputFor, testNodeDeps } from "@/server/testing/simulated-nodes";
import { readFailoverHold, releaseFailoverHold } from "../migration/failover-hold";
import { HOLD_ALERT_REPEAT_MS } from "./blast-radius";
import type { PanelClientFactory } from "../nodes/panel-for-node";
import { runHealthSweep, type HealthSweepDeps } from "./run-health-sweep";

let test: TestDatabase;
let sims: SimulatedPanel[] = [];
let actor: Actor;
let nodeDeps: ReturnType<typeof testNodeDeps>;
let nowMs = Date.parse("2026-06-01T12:00:00Z");
const clock = { now: () => new Date(nowMs) };
const settings = { intervalSeconds: 30, fall: 3, fallWindowSeconds: 90, rise: 2, timeoutMs: 1000 };

function sweepDeps(overrides: Partial<HealthSweepDeps> = {}): HealthSweepDeps {
  return { db: test.db, panelFor: nodeDeps.panelFor, clock, settings, concurrency: 16, ...overrides };
}

async function fleet(count: number, version = "g3") {
  const started = await startSimulators(count, { version });
  sims.push(...started);
  const added = await addSimulatedNodes(nodeDeps, actor, started, `n${sims.length}`);
  return { sims: started, nodes: added };
}

async function eventsOf(kind: string) {
  return test.db.select().from(events).where(eq(events.kind, kind));
}

beforeAll(async () => {
  test = await createTestDatabase({ maxConnections: 30 });
  actor = await createTestActor(test.db);
  nodeDeps = testNodeDeps(test.db, settings.timeoutMs);
});
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
  await test?.close();
});
beforeEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
  await test.db.delete(nodes);
  await test.db.delete(events);
  nowMs += 3_600_000;
});

describe("runHealthSweep", () => {
  it("checks every due node once, records the check and the first transition", async () => {
    const { nodes: added } = await fleet(3);
    const summary = await runHealthSweep(sweepDeps(), { budgetMs: 10_000 });
    expect(summary).toMatchObject({ checked: 3, healthy: 3, unhealthy: 0, failed: 0, skipped: 0, inconclusive: false });
    expect(summary.transitions).toHaveLength(3);
    const rows = await test.db.select().from(nodes).orderBy(asc(nodes.name));
    for (const row of rows) {
      expect(row).toMatchObject({ healthState: "healthy", consecutiveSuccesses: 1, checkLeaseOwner: null, xrayState: "running", apiGeneration: "g3" });
      // The node shows the latency its one check measured.
      const [check] = await test.db.select({ latencyMs: healthChecks.latencyMs }).from(healthChecks).where(eq(healthChecks.nodeId, row.id));
      expect(Number.isInteger(check!.latencyMs)).toBe(true);
      expect(row.lastLatencyMs).toBe(check!.latencyMs);
    }
    const checks = await test.db.select().from(healthChecks).where(eq(healthChecks.nodeId, added[0]!.id));
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ isOk: true, xrayState: "running", onlineClients: 0 });
    expect(checks[0]!.cpuPercent).toBeGreaterThan(0);
    expect(await eventsOf("node.up")).toHaveLength(3);

    // Nothing is due again before the interval has passed.
    expect((await runHealthSweep(sweepDeps(), { budgetMs: 10_000 })).checked).toBe(0);
    nowMs += 30_000;
    expect((await runHealthSweep(sweepDeps(), { budgetMs: 10_000 })).checked).toBe(3);
  });

  it("two concurrent sweeps over 50 nodes check each node exactly once", async () => {
    const { nodes: added } = await fleet(50);
    const [a, b] = await Promise.all([
      runHealthSweep(sweepDeps({ concurrency: 8 }), { budgetMs: 20_000 }),
      runHealthSweep(sweepDeps({ concurrency: 8 }), { budgetMs: 20_000 }),
    ]);
    expect(a.checked + b.checked).toBe(50);
    expect(a.checked).toBeGreaterThan(0);
    expect(b.checked).toBeGreaterThan(0);
    const perNode = await test.db.select({ nodeId: healthChecks.nodeId, n: count() }).from(healthChecks).groupBy(healthChecks.nodeId);
    const ours = perNode.filter((r) => added.some((n) => n.id === r.nodeId));
    expect(ours).toHaveLength(50);
    expect(ours.every((r) => r.n === 1)).toBe(true);
  });

  // A sweep wrote each node with its own statements (begin, update, insert, insert, commit on a
  // transition): at fleet scale most of its database work and CPU. Its writes are batched now.
  it("writes a sweep's checks, states and transitions in a few statements, not several per node", async () => {
    const { nodes: added } = await fleet(40);
    let statements = 0;
    const client = postgres(test.url, { max: 10, onnotice: () => {}, debug: () => void statements++ });
    try {
      const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Database;
      for (const label of ["first", "second"]) {
        statements = 0;
        const summary = await runHealthSweep(sweepDeps({ db }), { budgetMs: 10_000 });
        expect(summary.checked, label).toBe(40);
        // One count, a claim per quarter of the pool, a write per batch of finished checks.
        expect(statements / summary.checked, label).toBeLessThan(0.5);
        nowMs += 30_000;
      }
    } finally {
      await client.end();
    }
    const perNode = await test.db.select({ nodeId: healthChecks.nodeId, n: count() }).from(healthChecks).groupBy(healthChecks.nodeId);
    expect(perNode.filter((r) => added.some((n) => n.id === r.nodeId)).every((r) => r.n === 2)).toBe(true);
    expect(await eventsOf("node.up")).toHaveLength(40);
    const [quarter] = await test.db.select({ checks: healthQuarterHours.checks }).from(healthQuarterHours).where(eq(healthQuarterHours.nodeId, added[0]!.id));
    expect(quarter?.checks).toBe(2);
    const rows = await test.db.select().from(nodes);
    expect(rows.every((r) => r.healthState === "healthy" && r.checkLeaseOwner === null && r.consecutiveSuccesses === 2)).toBe(true);
  });

  it("a first-ever check of a panel — detection, sign-in, status, inbound, onlines — opens one connection to it", async () => {
    const { sims: panels, nodes: added } = await fleet(1);
    const { hostname, port } = new URL(panels[0]!.url);
    const proxy = await startTcpProxy({ host: hostname, port: Number(port) });
    try {
      await test.db.update(nodes).set({ panelUrl: panels[0]!.url.replace(`:${port}`, `:${proxy.port}`) }).where(eq(nodes.id, added[0]!.id));
      expect(await runHealthSweep(sweepDeps(), { budgetMs: 10_000 })).toMatchObject({ checked: 1, healthy: 1 });
      expect(proxy.acceptedConnections).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it("records nothing for a node whose lease another sweep took over while it was checked, and the rest of its batch as usual", async () => {
    const { nodes: added } = await fleet(3);
    const taken = added[0]!;
    const panelFor: PanelClientFactory = (node) => {
      const panel = nodeDeps.panelFor(node);
      if (node.id !== taken.id) return panel;
      return Object.assign(Object.create(panel) as PanelClient, {
        getOnlineClients: async () => {
          await test.db.update(nodes).set({ checkLeaseOwner: "another-sweep" }).where(eq(nodes.id, node.id));
          return panel.getOnlineClients();
        },
      });
    };
    const summary = await runHealthSweep(sweepDeps({ panelFor }), { budgetMs: 10_000 });
    expect(summary).toMatchObject({ checked: 2, healthy: 2 });
    expect(summary.transitions.map((t) => t.nodeId)).not.toContain(taken.id);
    const [row] = await test.db.select().from(nodes).where(eq(nodes.id, taken.id));
    expect(row).toMatchObject({ healthState: "unknown", checkLeaseOwner: "another-sweep", lastCheckAt: null });
    expect(await test.db.select().from(healthChecks).where(eq(healthChecks.nodeId, taken.id))).toHaveLength(0);
    expect((await eventsOf("node.up")).map((e) => e.nodeId).sort()).toEqual([added[1]!.id, added[2]!.id].sort());
  });

  it("a check the database refuses costs only its own record: the rest of its batch is written", async () => {
    const { nodes: added } = await fleet(4);
    const bad = added[0]!;
    const panelFor: PanelClientFactory = (node) => {
      const panel = nodeDeps.panelFor(node);
      if (node.id !== bad.id) return panel;
      // Not a whole number of bytes: the bigint column refuses it.
      const spoil = (status: ServerStatus): ServerStatus => ({ ...status, memory: { current: 1.5, total: 2 } });
      return Object.assign(Object.create(panel) as PanelClient, {
        detect: async () => {
          const detection = await panel.detect();
          return detection.status ? { ...detection, status: { ...detection.status, value: spoil(detection.status.value) } } : detection;
        },
        getServerStatus: async () => spoil(await panel.getServerStatus()),
      });
    };
    const summary = await runHealthSweep(sweepDeps({ panelFor }), { budgetMs: 10_000 });
    expect(summary).toMatchObject({ checked: 3, healthy: 3 });
    const rows = await test.db.select().from(nodes);
    expect(rows.filter((r) => r.healthState === "healthy").map((r) => r.id).sort()).toEqual(added.slice(1).map((n) => n.id).sort());
    expect(await test.db.select().from(healthChecks).where(eq(healthChecks.nodeId, bad.id))).toHaveLength(0);
  });

  it("a hanging node costs its own timeout and delays no other check", async () => {
    const { sims: panels } = await fleet(6);
    panels[0]!.faults.hang = true;
    const started = performance.now();
    const summary = await runHealthSweep(sweepDeps({ concurrency: 2 }), { budgetMs: 10_000 });
    const wallMs = performance.now() - started;
    expect(summary.checked).toBe(6);
    expect(summary.failed).toBe(1);
    // One slot is held by the hang for the timeout; the other five checks go through the second slot meanwhile.
    expect(wallMs).toBeLessThan(settings.timeoutMs + 700);
    const rows = await test.db.select().from(nodes).orderBy(asc(nodes.name));
    expect(rows.filter((r) => r.lastError?.includes("no answer within"))).toHaveLength(1);
    expect(rows.filter((r) => r.healthState === "healthy")).toHaveLength(5);
  });

  // bench:health: with most of the pool held by hanging panels, the free slots waited for a quarter
  // of the pool to free up, so every node still due waited for the hanging panels' timeouts.
  it("fills free slots while hanging panels hold the rest of the pool: no healthy node waits for their timeouts", async () => {
    const { sims: panels, nodes: added } = await fleet(12);
    panels.slice(0, 7).forEach((p) => (p.faults.hang = true));
    // The hanging panels are claimed first (never checked), the others after them (checked long ago).
    await test.db.update(nodes).set({ lastCheckAt: new Date(nowMs - 3_600_000) }).where(inArray(nodes.id, added.slice(7).map((n) => n.id)));
    const outcomes: string[] = [];
    const metrics = { healthCheck: (_node: unknown, outcome: string) => void outcomes.push(outcome), healthSweep: () => {} } as unknown as FleetMetrics;
    // A pool of 8 refills at 2 free slots; the 7 hanging panels leave 1.
    const summary = await runHealthSweep(sweepDeps({ concurrency: 8, metrics }), { budgetMs: 10_000 });
    expect(summary).toMatchObject({ checked: 12, failed: 7 });
    expect(outcomes).toEqual([...Array<string>(5).fill("ok"), ...Array<string>(7).fill("unreachable")]);
  });

  it("a panel that just started (status without data) is inconclusive: no failure, no check row, no streak", async () => {
    const { sims: panels, nodes: added } = await fleet(1, "2.9.4");
    await runHealthSweep(sweepDeps(), { budgetMs: 10_000 });
    // One failure already on record: a starting panel must neither extend nor reset the streak.
    await test.db.update(nodes).set({ consecutiveSuccesses: 0, consecutiveFailures: 2, failingSince: new Date(nowMs - 60_000) }).where(eq(nodes.id, added[0]!.id));
    await panels[0]!.faults.restart(60_000);
    nowMs += 60_000;
    const summary = await runHealthSweep(sweepDeps({ settings: { ...settings, fall: 3, fallWindowSeconds: 0 } }), { budgetMs: 10_000 });
    expect(summary).toMatchObject({ checked: 1, failed: 0, unhealthy: 0, transitions: [] });
    const [row] = await test.db.select().from(nodes);
    expect(row).toMatchObject({ healthState: "healthy", consecutiveFailures: 2, consecutiveSuccesses: 0 });
    expect(row!.lastError).toMatch(/starting/);
    expect(await test.db.select().from(healthChecks).where(eq(healthChecks.nodeId, added[0]!.id))).toHaveLength(1);
  });

  it("wrong credentials give auth_error and an alert, never a failure streak", async () => {
    const [sim] = await startSimulators(1, { version: "2.8.11" });
    sims.push(sim!);
    const node = await createNode(nodeDeps, actor, nodeInputFor(sim!, "wrong-password", { panelPassword: "not-the-password", saveDisabled: true }));
    await test.db.update(nodes).set({ adminState: "active" }).where(eq(nodes.id, node.id));
    const summary = await runHealthSweep(sweepDeps(), { budgetMs: 10_000 });
    expect(summary).toMatchObject({ checked: 1, authError: 1, failed: 0, unhealthy: 0 });
    const [row] = await test.db.select().from(nodes);
    expect(row).toMatchObject({ healthState: "auth_error", consecutiveFailures: 0 });
    const [alert] = await eventsOf("node.auth_error");
    expect(alert).toMatchObject({ severity: "critical", nodeId: row!.id });
    expect(await eventsOf("node.down")).toHaveLength(0);
  });

  // Observation 3: a node whose inbound did not exist showed Healthy and took users.
  describe("an inbound that cannot take keys", () => {
    it("makes a node misconfigured with the reason, not a failure, whatever the inbound's problem", async () => {
      const { sims: panels, nodes: added } = await fleet(4);
      await test.db.update(nodes).set({ inboundId: 999 }).where(eq(nodes.id, added[0]!.id));
      panels[1]!.state.inbounds.find((i) => i.id === 1)!.enable = false;
      panels[2]!.state.inbounds.find((i) => i.id === 1)!.protocol = "wireguard";
      const summary = await runHealthSweep(sweepDeps(), { budgetMs: 10_000 });
      expect(summary).toMatchObject({ checked: 4, misconfigured: 3, healthy: 1, failed: 0, unhealthy: 0, inconclusive: false });
      const byId = new Map((await test.db.select().from(nodes)).map((n) => [n.id, n]));
      expect(byId.get(added[0]!.id)).toMatchObject({
        healthState: "misconfigured",
        consecutiveFailures: 0,
        lastErrorRef: { code: "check.inboundMissing", params: { inbound: 999 } },
      });
      expect(byId.get(added[1]!.id)).toMatchObject({ healthState: "misconfigured", lastErrorRef: { code: "check.inboundDisabled", params: { inbound: 1 } } });
      expect(byId.get(added[2]!.id)).toMatchObject({
        healthState: "misconfigured",
        lastErrorRef: { code: "check.inboundProtocol", params: { inbound: 1, protocol: "wireguard" } },
      });
      expect(byId.get(added[3]!.id)!.healthState).toBe("healthy");
      const alerts = await eventsOf("node.misconfigured");
      expect(alerts).toHaveLength(3);
      expect(alerts.find((e) => e.nodeId === added[0]!.id)).toMatchObject({
        severity: "critical",
        messageRef: { code: "event.node.misconfigured", params: { node: added[0]!.name, reason: { code: "check.inboundMissing", params: { inbound: 999 } } } },
      });
      const [check] = await test.db.select().from(healthChecks).where(eq(healthChecks.nodeId, added[0]!.id));
      expect(check).toMatchObject({ isOk: false, errorRef: { code: "check.inboundMissing" } });
    });

    it("never trips the blast-radius guard, and a fixed inbound brings the node back", async () => {
      const { sims: panels, nodes: added } = await fleet(10);
      await runHealthSweep(sweepDeps(), { budgetMs: 10_000 });
      for (const panel of panels.slice(0, 5)) panel.state.inbounds.find((i) => i.id === 1)!.enable = false;
      nowMs += 30_000;
      const summary = await runHealthSweep(sweepDeps({ settings: { ...settings, fall: 1, fallWindowSeconds: 0 } }), { budgetMs: 10_000 });
      expect(summary).toMatchObject({ misconfigured: 5, failed: 0, inconclusive: false });
      expect(await eventsOf("failover.held")).toHaveLength(0);
      panels[0]!.state.inbounds.find((i) => i.id === 1)!.enable = true;
      for (let i = 0; i < 2; i++) {
        nowMs += 30_000;
        await runHealthSweep(sweepDeps(), { budgetMs: 10_000 });
      }
      const [fixed] = await test.db.select().from(nodes).where(eq(nodes.id, added[0]!.id));
      expect(fixed).toMatchObject({ healthState: "healthy", lastErrorRef: null });
    });

    it("makes the younger copy of a panel inbound added twice misconfigured, naming the original, without asking the panel", async () => {
      const { nodes: added } = await fleet(1);
      // The copy holds no credentials: had it asked the panel, it would be auth_error.
      const [copy] = await test.db
        .insert(nodes)
        .values({ name: "copy", panelUrl: `${added[0]!.panelUrl}/`, inboundId: 1, isPanelDuplicate: true })
        .returning();
      await runHealthSweep(sweepDeps(), { budgetMs: 10_000 });
      const [row] = await test.db.select().from(nodes).where(eq(nodes.id, copy!.id));
      expect(row).toMatchObject({ healthState: "misconfigured", lastErrorRef: { code: "check.duplicate", params: { node: added[0]!.name, inbound: 1 } } });
      await test.db.delete(nodes).where(eq(nodes.id, added[0]!.id));
      nowMs += 30_000;
      await runHealthSweep(sweepDeps(), { budgetMs: 10_000 });
      const [alone] = await test.db.select().from(nodes).where(eq(nodes.id, copy!.id));
      expect(alone!.isPanelDuplicate).toBe(false);
    });
  });

  it("Xray not running makes a node degraded at once and unhealthy after the fall threshold", async () => {
    const { sims: panels } = await fleet(1);
    await runHealthSweep(sweepDeps(), { budgetMs: 10_000 });
    panels[0]!.state.xrayState = "stop";
    nowMs += 30_000;
    expect((await runHealthSweep(sweepDeps(), { budgetMs: 10_000 })).degraded).toBe(1);
    const [row] = await test.db.select().from(nodes);
    expect(row).toMatchObject({ healthState: "degraded", xrayState: "stop", consecutiveFailures: 1 });
    expect(await eventsOf("node.degraded")).toHaveLength(1);
  });

  it("marks a node unhealthy only after fall failures spanning the window, and healthy after rise successes", async () => {
    const { sims: panels } = await fleet(1);
    await runHealthSweep(sweepDeps(), { budgetMs: 10_000 });
    await panels[0]!.faults.down();
    const states: string[] = [];
    for (let i = 0; i < 4; i++) {
      nowMs += 30_000;
      await runHealthSweep(sweepDeps(), { budgetMs: 10_000 });
      states.push((await test.db.select().from(nodes))[0]!.healthState);
    }
    // Failures at +30, +60, +90 s span only 60 s; the fourth, at +120 s, spans 90 s.
    expect(states).toEqual(["healthy", "healthy", "healthy", "unhealthy"]);
    const [down] = await eventsOf("node.down");
    expect(down).toMatchObject({ severity: "critical", data: expect.objectContaining({ from: "healthy", to: "unhealthy" }) });

    await panels[0]!.faults.up();
    nowMs += 30_000;
    await runHealthSweep(sweepDeps(), { budgetMs: 10_000 });
    expect((await test.db.select().from(nodes))[0]!.healthState).toBe("unhealthy");
    nowMs += 30_000;
    await runHealthSweep(sweepDeps(), { budgetMs: 10_000 });
    expect((await test.db.select().from(nodes))[0]!.healthState).toBe("healthy");
  });

  describe("blast-radius guard", () => {
    const quickFall = { ...settings, fall: 1, fallWindowSeconds: 0 };

    it("holds every unhealthy transition when more than max(3, 20%) of the fleet fails at once", async () => {
      const { sims: panels } = await fleet(10);
      await runHealthSweep(sweepDeps({ settings: quickFall }), { budgetMs: 10_000 });
      await Promise.all(panels.slice(0, 4).map((p) => p.faults.down()));
      nowMs += 30_000;
      const summary = await runHealthSweep(sweepDeps({ settings: quickFall }), { budgetMs: 10_000 });
      expect(summary).toMatchObject({ checked: 10, failed: 4, unhealthy: 0, inconclusive: true });
      const rows = await test.db.select().from(nodes);
      expect(rows.filter((r) => r.healthState === "unhealthy")).toHaveLength(0);
      expect(rows.filter((r) => r.consecutiveFailures === 1)).toHaveLength(4);
      const [held] = await eventsOf("failover.held");
      expect(held).toMatchObject({ severity: "critical", data: expect.objectContaining({ failed: 4, fleetSize: 10 }) });
      expect(await eventsOf("node.down")).toHaveLength(0);
    });

    // Observation 4: four broken nodes out of 14 held failover for the whole fleet.
    it("counts only nodes that were serving: broken nodes never hold failover, and a real dead node is marked unhealthy", async () => {
      const { sims: panels } = await fleet(10);
      await runHealthSweep(sweepDeps({ settings: quickFall }), { budgetMs: 10_000 });
      const [spare] = await startSimulators(1, { version: "g3" });
      sims.push(spare!);
      const broken = [
        nodeInputFor(spare!, "wrong-password", { panelPassword: "not-the-password" }),
        nodeInputFor(spare!, "refused", { panelUrl: "http://127.0.0.1:1/" }),
        nodeInputFor(spare!, "unresolvable", { panelUrl: "http://panel.invalid:2053/" }),
        nodeInputFor(spare!, "wrong-inbound", { inboundId: 999 }),
      ];
      for (const input of broken) {
        const node = await createNode(nodeDeps, actor, { ...input, saveDisabled: true });
        await test.db.update(nodes).set({ adminState: "active" }).where(eq(nodes.id, node.id));
      }
      await panels[0]!.faults.down();
      for (let i = 0; i < 3; i++) {
        nowMs += 30_000;
        const summary = await runHealthSweep(sweepDeps({ settings: quickFall }), { budgetMs: 10_000 });
        expect(summary).toMatchObject({ checked: 14, failed: 3, failedServing: i === 0 ? 1 : 0, inconclusive: false });
      }
      const rows = await test.db.select().from(nodes);
      const stateOf = (name: string) => rows.find((r) => r.name === name)?.healthState;
      expect(rows.filter((r) => r.healthState === "unhealthy").map((r) => r.panelUrl)).toEqual([panels[0]!.url]);
      expect([stateOf("wrong-password"), stateOf("refused"), stateOf("unresolvable"), stateOf("wrong-inbound")]).toEqual(["auth_error", "unknown", "unknown", "misconfigured"]);
      expect(await eventsOf("failover.held")).toHaveLength(0);
    });

    it("an owner releases the hold for one node: it goes unhealthy while the others stay held; the alert repeats while the hold lasts", async () => {
      const { sims: panels, nodes: added } = await fleet(10);
      await runHealthSweep(sweepDeps({ settings: quickFall }), { budgetMs: 10_000 });
      await Promise.all(panels.slice(0, 5).map((p) => p.faults.down()));
      nowMs += 30_000;
      expect((await runHealthSweep(sweepDeps({ settings: quickFall }), { budgetMs: 10_000 })).inconclusive).toBe(true);
      const hold = await readFailoverHold({ db: test.db, clock });
      expect(hold).toMatchObject({ isHeld: true, reason: { code: "event.failover.held", params: { failed: 5, fleet: 10, limit: 3 } } });
      expect(hold.nodes.map((n) => n.id).sort()).toEqual(added.slice(0, 5).map((n) => n.id).sort());

      await releaseFailoverHold({ db: test.db, clock }, actor, { nodeId: added[0]!.id });
      const [audit] = await test.db.select().from(auditLog).where(eq(auditLog.action, "node.failover_hold_release"));
      expect(audit).toMatchObject({ targetId: added[0]!.id, actorName: actor.username });
      expect((await readFailoverHold({ db: test.db, clock })).nodes.find((n) => n.id === added[0]!.id)?.isReleased).toBe(true);

      nowMs += 30_000;
      const summary = await runHealthSweep(sweepDeps({ settings: quickFall }), { budgetMs: 10_000 });
      expect(summary).toMatchObject({ failed: 5, failedServing: 4, unhealthy: 1, inconclusive: true });
      const rows = await test.db.select().from(nodes);
      expect(rows.filter((r) => r.healthState === "unhealthy").map((r) => r.id)).toEqual([added[0]!.id]);
      // One alert per repeat interval, not one per sweep.
      expect(await eventsOf("failover.held")).toHaveLength(1);
      nowMs += HOLD_ALERT_REPEAT_MS;
      await runHealthSweep(sweepDeps({ settings: quickFall }), { budgetMs: 10_000 });
      expect(await eventsOf("failover.held")).toHaveLength(2);

      // Back to health, the release is spent: a later failure is weighed like any other.
      await panels[0]!.faults.up();
      nowMs += 30_000;
      await runHealthSweep(sweepDeps({ settings: quickFall }), { budgetMs: 10_000 });
      nowMs += 30_000;
      await runHealthSweep(sweepDeps({ settings: quickFall }), { budgetMs: 10_000 });
      const [back] = await test.db.select().from(nodes).where(eq(nodes.id, added[0]!.id));
      expect(back).toMatchObject({ healthState: "healthy", failoverHoldReleasedAt: null });
    });

    it("lets the transitions through at the limit", async () => {
      const { sims: panels } = await fleet(10);
      await runHealthSweep(sweepDeps({ settings: quickFall }), { budgetMs: 10_000 });
      await Promise.all(panels.slice(0, 3).map((p) => p.faults.down()));
      nowMs += 30_000;
      const summary = await runHealthSweep(sweepDeps({ settings: quickFall }), { budgetMs: 10_000 });
      expect(summary).toMatchObject({ failed: 3, unhealthy: 3, inconclusive: false });
      expect(await eventsOf("node.down")).toHaveLength(3);
      expect(await eventsOf("failover.held")).toHaveLength(0);
    });
  });

  it("starts no check that cannot finish within the budget and reports what it left", async () => {
    await fleet(3);
    const summary = await runHealthSweep(sweepDeps(), { budgetMs: 500 });
    expect(summary).toMatchObject({ checked: 0, skipped: 3 });
    expect((await test.db.select().from(nodes)).every((r) => r.checkLeaseOwner === null)).toBe(true);
  });
});
