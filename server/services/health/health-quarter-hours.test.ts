/**
 * health_quarter_hours is kept by a trigger on health_checks: whatever way checks arrive (one at a
 * time, in bulk, from concurrent sweeps), it holds exactly what a GROUP BY over the checks says,
 * and the 24-hour series read from it match the checks.
 */
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "@/server/db/migrate";
import { healthChecks, healthQuarterHours, nodes } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { getLatencySeries } from "@/server/services/stats/get-latency-series";
import { getHealthSeries, pruneHealthHistory } from "./health-history";

let test: TestDatabase;
const now = new Date("2026-06-10T12:34:00Z");
const MIN = 60_000;
const ago = (ms: number) => new Date(now.getTime() - ms);

beforeAll(async () => {
  test = await createTestDatabase({ maxConnections: 24 });
});
afterAll(async () => test?.close());
afterEach(async () => {
  await test.db.execute(sql`TRUNCATE nodes CASCADE`);
});

async function addNode(name: string): Promise<string> {
  const [node] = await test.db.insert(nodes).values({ name, panelUrl: `https://${name}.example.com/`, inboundId: 1 }).returning();
  return node!.id;
}

/** What the checks themselves say, per node and quarter hour. */
async function fromChecks() {
  const result = await test.db.execute(sql`
    SELECT node_id, date_bin('15 minutes', checked_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS starts_at, count(*)::int AS checks,
           (count(*) FILTER (WHERE is_ok))::int AS ok_checks, coalesce(sum(latency_ms) FILTER (WHERE is_ok), 0)::int AS latency_sum_ms,
           (count(latency_ms) FILTER (WHERE is_ok))::int AS latency_count, max(latency_ms) FILTER (WHERE is_ok) AS max_latency_ms
    FROM health_checks GROUP BY 1, 2 ORDER BY 1, 2`);
  return rowsOf<Record<string, unknown>>(result).map((r) => ({ ...r, starts_at: new Date(String(r.starts_at)).toISOString() }));
}
async function kept() {
  const rows = await test.db.select().from(healthQuarterHours).orderBy(healthQuarterHours.nodeId, healthQuarterHours.startsAt);
  return rows.map((r) => ({
    node_id: r.nodeId,
    starts_at: r.startsAt.toISOString(),
    checks: r.checks,
    ok_checks: r.okChecks,
    latency_sum_ms: r.latencySumMs,
    latency_count: r.latencyCount,
    max_latency_ms: r.maxLatencyMs,
  }));
}

describe("quarter-hour health counts", () => {
  it("match the checks after bulk inserts, single inserts into the same quarter hour, failed checks and checks without a latency", async () => {
    const a = await addNode("qa");
    const b = await addNode("qb");
    // A day and a bit of checks every 30 s for one node, every 5 minutes for the other, one in seven failing.
    const bulk = [
      ...Array.from({ length: 26 * 120 }, (_, i) => ({ nodeId: a, checkedAt: ago(i * 30_000), isOk: i % 7 !== 0, latencyMs: i % 7 !== 0 ? 20 + (i % 50) : null })),
      ...Array.from({ length: 26 * 12 }, (_, i) => ({ nodeId: b, checkedAt: ago(i * 5 * MIN), isOk: i % 7 !== 3, latencyMs: 100 + i })),
    ];
    await test.db.insert(healthChecks).values(bulk);
    for (const [i, latencyMs] of [null, 5, 900].entries()) {
      await test.db.insert(healthChecks).values({ nodeId: b, checkedAt: ago(MIN + i * 1000), isOk: latencyMs !== null, latencyMs });
    }
    expect(await kept()).toEqual(await fromChecks());
    expect((await kept()).filter((r) => r.node_id === a).length).toBeGreaterThanOrEqual(104);
  });

  it("count every check once when sweeps insert into the same quarter hour concurrently", async () => {
    const a = await addNode("concurrent");
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        test.db.transaction(async (tx) => {
          await tx.insert(healthChecks).values({ nodeId: a, checkedAt: ago(2 * MIN + i * 100), isOk: i % 4 !== 0, latencyMs: i });
          await tx.execute(sql`SELECT pg_sleep(0.01)`);
        }),
      ),
    );
    const [row] = await kept();
    expect(row).toMatchObject({ checks: 20, ok_checks: 15, latency_count: 15 });
    expect(await kept()).toEqual(await fromChecks());
  });

  it("serve the 24-hour series the checks give, bucket by bucket", async () => {
    const a = await addNode("series");
    const checks = Array.from({ length: 25 * 60 }, (_, i) => ({ nodeId: a, checkedAt: ago(i * MIN), isOk: i % 5 !== 0, latencyMs: i % 5 !== 0 ? i % 300 : null }));
    await test.db.insert(healthChecks).values(checks);
    const [series] = await getHealthSeries(test.db, { range: "24h", now, nodeIds: [a] });
    const first = Math.floor((now.getTime() - 24 * 60 * MIN) / (15 * MIN)) * 15 * MIN;
    expect(series!.points[0]!.at.getTime()).toBe(first);
    expect(series!.points).toHaveLength(97);
    for (const point of series!.points) {
      const start = point.at.getTime();
      const inBucket = checks.filter((c) => c.checkedAt.getTime() >= start && c.checkedAt.getTime() < start + 15 * MIN);
      const ok = inBucket.filter((c) => c.isOk);
      expect(point.checks).toBe(inBucket.length);
      expect(point.okChecks).toBe(ok.length);
      expect(point.avgLatencyMs).toBe(Math.round(ok.reduce((sum, c) => sum + c.latencyMs!, 0) / ok.length));
      expect(point.maxLatencyMs).toBe(Math.max(...ok.map((c) => c.latencyMs!)));
    }
  });

  it("are asked for no nodes when the fleet is empty: the charts answer empty, not an SQL error", async () => {
    for (const range of ["24h", "7d", "30d"] as const) {
      expect(await getHealthSeries(test.db, { range, now, nodeIds: [] })).toEqual([]);
      const latency = await getLatencySeries({ db: test.db, clock: { now: () => now } }, { range });
      expect(latency.series).toEqual([]);
      expect(latency.points.length).toBeGreaterThan(0);
    }
  });

  it("start over with the checks, go with their node, and are pruned after two days", async () => {
    const a = await addNode("kept");
    const b = await addNode("gone");
    await test.db.insert(healthChecks).values([
      { nodeId: a, checkedAt: ago(3 * 24 * 60 * MIN), isOk: true, latencyMs: 10 },
      { nodeId: a, checkedAt: ago(47 * 60 * MIN), isOk: true, latencyMs: 10 },
      { nodeId: b, checkedAt: ago(MIN), isOk: true, latencyMs: 10 },
    ]);
    await test.db.delete(nodes).where(eq(nodes.id, b));
    expect((await kept()).map((r) => r.node_id)).toEqual([a, a]);
    expect((await pruneHealthHistory(test.db, { now, retentionDays: 30 })).quarterHours).toBe(1);
    expect(await kept()).toHaveLength(1);
    await test.db.execute(sql`TRUNCATE health_checks`);
    expect(await kept()).toEqual([]);
  });
});
