import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cronRuns, healthChecks, healthHourly, nodes } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { getHealthSeries, getLastSweep, getUptimeSummary, pruneHealthHistory, rollUpHealthChecks } from "./health-history";

let test: TestDatabase;
let nodeId: string;
const now = new Date("2026-06-10T12:30:00Z");
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

beforeAll(async () => {
  test = await createTestDatabase();
  const [node] = await test.db.insert(nodes).values({ name: "h1", panelUrl: "https://h1.example.com/", inboundId: 1 }).returning();
  nodeId = node!.id;
  // Every 10 minutes for 3 days; one in four fails. Plus one check older than the retention.
  const rows = Array.from({ length: 3 * 144 }, (_, i) => ({ nodeId, checkedAt: ago(i * 10), isOk: i % 4 !== 0, latencyMs: i % 4 !== 0 ? 100 : null }));
  rows.push({ nodeId, checkedAt: ago(40 * 24 * 60), isOk: true, latencyMs: 50 });
  await test.db.insert(healthChecks).values(rows);
});
afterAll(async () => test?.close());

describe("health history", () => {
  it("rolls up completed hours once, and prunes raw checks past the retention", async () => {
    const first = await rollUpHealthChecks(test.db, { now });
    expect(first.hours).toBeGreaterThan(70);
    const hourly = await test.db.select().from(healthHourly);
    expect(hourly.every((h) => h.hour.getTime() < Date.parse("2026-06-10T12:00:00Z"))).toBe(true);
    expect((await rollUpHealthChecks(test.db, { now })).hours).toBe(1); // only the last rolled hour again
    expect((await pruneHealthHistory(test.db, { now, retentionDays: 30 })).checks).toBe(1);
  });

  it("serves 24h from raw checks and 7d from the roll-up plus the newest raw checks", async () => {
    const [day] = await getHealthSeries(test.db, { range: "24h", now, nodeIds: [nodeId] });
    expect(day!.points.length).toBeGreaterThanOrEqual(96);
    const [week] = await getHealthSeries(test.db, { range: "7d", now, nodeIds: [nodeId] });
    const total = week!.points.reduce((sum, p) => sum + p.checks, 0);
    expect(total).toBe(3 * 144); // nothing counted twice, nothing lost at the roll-up boundary
    expect(week!.points.at(-1)!.at.getTime()).toBe(Date.parse("2026-06-10T12:00:00Z"));
    expect(week!.points.find((p) => p.okChecks > 0)!.avgLatencyMs).toBe(100);
    const [uptime] = await getUptimeSummary(test.db, { now, nodeIds: [nodeId] });
    expect(uptime!["7d"]).toBeCloseTo(0.75, 2);
  });

  it("says when no sweep ran for three intervals", async () => {
    expect(await getLastSweep(test.db, { now, intervalSeconds: 30 })).toMatchObject({ isOverdue: true, hint: expect.stringContaining("/api/cron/health") });
    await test.db.insert(cronRuns).values({ trigger: "http", startedAt: ago(1) });
    expect(await getLastSweep(test.db, { now, intervalSeconds: 30 })).toMatchObject({ isOverdue: false, hint: null, trigger: "http" });
    expect((await getLastSweep(test.db, { now, intervalSeconds: 15 })).isOverdue).toBe(true);
  });
});
