import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignments, cronRuns, events, healthChecks, healthHourly, nodes, operationItems, operations, vpnUsers, type Node } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { getDailyActivity } from "./get-daily-activity";
import { getFleetOverview } from "./get-fleet-overview";
import { getHealthTimeline } from "./get-health-timeline";
import { getLatencySeries } from "./get-latency-series";
import { getNodeLoad } from "./get-node-load";
import { listEvents } from "./list-events";
import { listNodeRows } from "./list-node-rows";
import { listNodeUsers } from "./list-node-users";
import type { OverviewDeps } from "./get-fleet-overview";

const NOW = new Date("2026-05-20T12:34:00Z");
const MIN = 60_000;
const HOUR = 60 * MIN;
const ago = (ms: number) => new Date(NOW.getTime() - ms);

let test: TestDatabase;
let deps: OverviewDeps;
let fast: Node;
let slow: Node;
let down: Node;

async function addNode(values: Partial<typeof nodes.$inferInsert> & { name: string }): Promise<Node> {
  const [row] = await test.db
    .insert(nodes)
    .values({ panelUrl: `http://127.0.0.1:1/${values.name}/`, inboundId: 1, createdAt: ago(40 * 24 * HOUR), ...values })
    .returning();
  return row!;
}

let userSeq = 0;
async function addUserWithKey(node: Node, createdAt: Date, strategy: "balancer" | "migration" = "balancer") {
  userSeq += 1;
  const [user] = await test.db
    .insert(vpnUsers)
    .values({ telegramId: 1000 + userSeq, username: `u${userSeq}`, subscriptionToken: `tok-${userSeq}` })
    .returning();
  await test.db.insert(assignments).values({
    userId: user!.id,
    nodeId: node.id,
    inboundId: 1,
    clientId: `client-${userSeq}`,
    clientEmail: `fleet-${userSeq}`,
    state: "active",
    createdAt,
    placementReason: { strategy, candidates: [], chosenNodeId: node.id },
  });
  return user!;
}

beforeAll(async () => {
  test = await createTestDatabase();
  deps = { db: test.db, clock: { now: () => NOW }, healthIntervalSeconds: 30 };
  fast = await addNode({ name: "fast", healthState: "healthy", maxUsers: 10, reservedCount: 2, lastLatencyMs: 20 });
  slow = await addNode({ name: "slow", healthState: "degraded", maxUsers: 4, reservedCount: 3, lastLatencyMs: 400, adminState: "draining" });
  down = await addNode({ name: "down", healthState: "unhealthy", maxUsers: 10, reservedCount: 0, lastLatencyMs: null });
  await addNode({ name: "off", healthState: "healthy", adminState: "disabled", maxUsers: 50 });
});
afterAll(async () => test.close());

describe("fleet overview", () => {
  it("counts node health over enabled nodes, capacity, today's keys and moves, and flags a silent cron", async () => {
    await addUserWithKey(fast, ago(HOUR));
    await addUserWithKey(fast, ago(2 * HOUR), "migration");
    await addUserWithKey(slow, ago(30 * HOUR));
    const [op] = await test.db.insert(operations).values({ kind: "failover", startedBy: "system", nodeId: down.id, createdAt: ago(2 * HOUR) }).returning();
    await test.db.insert(operationItems).values([
      { operationId: op!.id, status: "succeeded", updatedAt: ago(HOUR) },
      { operationId: op!.id, status: "failed", updatedAt: ago(HOUR) },
    ]);

    const overview = await getFleetOverview(deps);
    expect(overview.nodes).toEqual({ total: 4, healthy: 1, degraded: 1, unhealthy: 1, authError: 0, misconfigured: 0, unknown: 0, draining: 1, disabled: 1 });
    expect(overview.users.total).toBe(3);
    expect(overview.capacity).toEqual({ used: 5, total: 24 });
    expect(overview.keysIssuedToday).toBe(1);
    expect(overview.movesToday).toBe(1);
    expect(overview.sweep).toMatchObject({ lastAt: null, isStale: true, intervalSeconds: 30 });

    await test.db.insert(cronRuns).values({ trigger: "http", startedAt: ago(60_000), finishedAt: ago(59_000) });
    const after = await getFleetOverview(deps);
    expect(after.sweep).toMatchObject({ lastAt: ago(60_000), isStale: false });
    expect((await getFleetOverview({ ...deps, clock: { now: () => new Date(NOW.getTime() + 2 * MIN) } })).sweep.isStale).toBe(true);
  });
});

describe("charts", () => {
  it("ranks node load by share of capacity and leaves disabled nodes out", async () => {
    const load = await getNodeLoad(deps);
    expect(load.nodes.map((n) => [n.node, n.users, n.capacity])).toEqual([
      ["slow", 3, 4],
      ["fast", 2, 10],
      ["down", 0, 10],
    ]);
    expect(load.totalNodes).toBe(3);
    expect(load.others).toBeNull();
  });

  it("buckets 24 h latency per node, keeps failed checks as gaps and reports uptime", async () => {
    await test.db.insert(healthChecks).values([
      { nodeId: slow.id, checkedAt: ago(7 * MIN), isOk: true, latencyMs: 300 },
      { nodeId: slow.id, checkedAt: ago(6 * MIN), isOk: true, latencyMs: 500 },
      { nodeId: slow.id, checkedAt: ago(3 * HOUR), isOk: false, latencyMs: null, error: "timeout" },
      { nodeId: fast.id, checkedAt: ago(7 * MIN), isOk: true, latencyMs: 20 },
      { nodeId: fast.id, checkedAt: ago(25 * HOUR), isOk: true, latencyMs: 999 },
    ]);
    const series = await getLatencySeries(deps, { range: "24h" });
    expect(series.series.map((s) => s.label)).toEqual(["slow", "fast", "down"]);
    const slowKey = series.series[0]!.key;
    const fastKey = series.series[1]!.key;
    expect(series.series[0]).toMatchObject({ uptimePercent: 66.7, avgLatencyMs: 400 });
    expect(series.series[1]).toMatchObject({ uptimePercent: 100, avgLatencyMs: 20 });
    expect(series.points).toHaveLength(97);
    const withData = series.points.filter((p) => p[slowKey] !== null);
    expect(withData).toHaveLength(1);
    expect(withData[0]).toMatchObject({ [slowKey]: 400, [fastKey]: 20 });
    expect(series.points.every((p, i) => i === 0 || p.t - series.points[i - 1]!.t === 15 * MIN)).toBe(true);

    const one = await getLatencySeries(deps, { range: "24h", nodeId: fast.id });
    expect(one.series).toHaveLength(1);
  });

  it("reads 7 d latency from the hourly roll-up, weighting averages by ok checks", async () => {
    const hour = new Date(Math.floor(ago(2 * HOUR).getTime() / HOUR) * HOUR);
    await test.db.insert(healthHourly).values([{ nodeId: down.id, hour, checks: 120, okChecks: 60, avgLatencyMs: 100, maxLatencyMs: 300 }]);
    const series = await getLatencySeries(deps, { range: "7d", nodeId: down.id });
    expect(series.series[0]).toMatchObject({ uptimePercent: 50, avgLatencyMs: 100 });
    expect(series.points.find((p) => p.t === hour.getTime())).toMatchObject({ [series.series[0]!.key]: 100 });
  });

  it("rebuilds health bands from transition events, troubled nodes first", async () => {
    await test.db.insert(events).values([
      { kind: "node.down", severity: "critical", nodeId: down.id, message: "down", data: { from: "healthy", to: "unhealthy" }, createdAt: ago(2 * HOUR) },
      { kind: "node.degraded", severity: "warning", nodeId: slow.id, message: "slow", data: { from: "healthy", to: "degraded" }, createdAt: ago(HOUR) },
      { kind: "node.down", severity: "critical", nodeId: fast.id, message: "old", data: { from: "healthy", to: "unhealthy" }, createdAt: ago(48 * HOUR) },
    ]);
    const timeline = await getHealthTimeline(deps, { range: "24h" });
    expect(timeline.rows.map((r) => r.node)).toEqual(["down", "slow", "fast"]);
    const downRow = timeline.rows[0]!;
    expect(downRow.segments).toEqual([
      { from: timeline.from, to: ago(2 * HOUR).getTime(), state: "healthy" },
      { from: ago(2 * HOUR).getTime(), to: NOW.getTime(), state: "unhealthy" },
    ]);
    expect(timeline.rows[2]!.segments).toEqual([{ from: timeline.from, to: NOW.getTime(), state: "healthy" }]);
  });

  it("pads keys and moves per day with zero days and leaves moved keys out of keys issued", async () => {
    const { keys, moves } = await getDailyActivity(deps, 3);
    expect(keys).toEqual([
      { day: "2026-05-18", keys: 0 },
      { day: "2026-05-19", keys: 1 },
      { day: "2026-05-20", keys: 1 },
    ]);
    expect(moves).toEqual([
      { day: "2026-05-18", failover: 0, drain: 0, rebalance: 0, migration: 0 },
      { day: "2026-05-19", failover: 0, drain: 0, rebalance: 0, migration: 0 },
      { day: "2026-05-20", failover: 1, drain: 0, rebalance: 0, migration: 0 },
    ]);
  });

  it("pages the events feed newest first and filters by severity", async () => {
    const critical = await listEvents(deps, { severity: "critical", pageSize: 1 });
    expect(critical.total).toBe(2);
    expect(critical.items).toHaveLength(1);
    expect(critical.items[0]).toMatchObject({ message: "down", nodeName: "down" });
  });
});

describe("node tables", () => {
  it("pages and filters node rows by name or location, health and admin state, without credentials", async () => {
    const all = await listNodeRows(deps, { pageSize: 2 });
    expect(all.total).toBe(4);
    expect(all.items.map((n) => n.name)).toEqual(["down", "fast"]);
    expect(Object.keys(all.items[0]!)).not.toContain("panelSecretEnc");
    expect((await listNodeRows(deps, { query: "LO" })).items.map((n) => n.name)).toEqual(["slow"]);
    expect((await listNodeRows(deps, { health: "unhealthy" })).items.map((n) => n.name)).toEqual(["down"]);
    expect((await listNodeRows(deps, { adminState: "draining", health: "healthy" })).total).toBe(0);
  });

  it("lists the users holding a key on a node", async () => {
    const onFast = await listNodeUsers(deps, { nodeId: fast.id });
    expect(onFast.total).toBe(2);
    expect(onFast.items.map((u) => u.strategy)).toEqual(["balancer", "migration"]);
  });
});
