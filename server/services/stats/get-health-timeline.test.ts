import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, healthChecks, nodes, type Node } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { getHealthTimeline } from "./get-health-timeline";

const NOW = new Date("2026-05-20T12:30:00Z");
const MIN = 60_000;
const HOUR = 60 * MIN;
const ago = (ms: number) => new Date(NOW.getTime() - ms);

let test: TestDatabase;
const deps = () => ({ db: test.db, clock: { now: () => NOW } });

async function addNode(name: string, values: Partial<typeof nodes.$inferInsert> = {}): Promise<Node> {
  const [row] = await test.db
    .insert(nodes)
    .values({ name, panelUrl: `http://127.0.0.1:1/${name}/`, inboundId: 1, createdAt: ago(40 * 24 * HOUR), ...values })
    .returning();
  return row!;
}

/** A check every 15 minutes over the last `hours`, failing in the 15 minutes starting `downAt`. */
async function checksEvery15Minutes(node: Node, hours: number, downAt: Date) {
  const rows = Array.from({ length: hours * 4 }, (_, i) => {
    const checkedAt = ago((i + 1) * 15 * MIN - 5 * MIN);
    const isDown = checkedAt >= downAt && checkedAt.getTime() < downAt.getTime() + 15 * MIN;
    return { nodeId: node.id, checkedAt, isOk: !isDown, latencyMs: isDown ? null : 40 };
  });
  await test.db.insert(healthChecks).values(rows);
}

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => test.close());

describe("the health timeline before a node's first recorded transition", () => {
  it("shows what the checks saw where the node's state was still undecided, not a day of unknown", async () => {
    const node = await addNode("checked-before-decided", { healthState: "healthy" });
    const downAt = ago(3 * HOUR);
    await checksEvery15Minutes(node, 24, downAt);
    // The sweep's first decision was recorded 30 minutes ago (from unknown), after a day of checks.
    await test.db.insert(events).values({
      kind: "node.up",
      severity: "info",
      nodeId: node.id,
      message: "up",
      data: { from: "unknown", to: "healthy" },
      createdAt: ago(30 * MIN),
    });

    const [row] = (await getHealthTimeline(deps(), { range: "24h", nodeId: node.id })).rows;
    const segments = row!.segments;
    const unknown = segments.filter((s) => s.state === "unknown").reduce((sum, s) => sum + (s.to - s.from), 0);
    expect(unknown).toBeLessThanOrEqual(15 * MIN);
    const down = segments.filter((s) => s.state === "unhealthy");
    expect(down).toHaveLength(1);
    expect(down[0]!.to - down[0]!.from).toBe(15 * MIN);
    expect(down[0]!.from).toBeLessThanOrEqual(downAt.getTime());
    expect(down[0]!.to).toBeGreaterThan(downAt.getTime());
    expect(segments.at(-1)).toEqual({ from: expect.any(Number), to: NOW.getTime(), state: "healthy" });
    expect(segments.at(-1)!.from).toBeLessThanOrEqual(ago(30 * MIN).getTime());
    // Bands tile the row without gaps or overlaps.
    for (let i = 1; i < segments.length; i++) expect(segments[i]!.from).toBe(segments[i - 1]!.to);
  });

  it("keeps unknown where there are no checks, and a bucket with some failed checks reads degraded", async () => {
    const fresh = await addNode("never-checked", { healthState: "unknown" });
    const flaky = await addNode("flaky-undecided", { healthState: "unknown" });
    const bucket = new Date(Math.floor(ago(HOUR).getTime() / (15 * MIN)) * 15 * MIN);
    await test.db.insert(healthChecks).values([
      { nodeId: flaky.id, checkedAt: new Date(bucket.getTime() + MIN), isOk: true, latencyMs: 30 },
      { nodeId: flaky.id, checkedAt: new Date(bucket.getTime() + 2 * MIN), isOk: false, latencyMs: null },
    ]);

    const timeline = await getHealthTimeline(deps(), { range: "24h", nodeId: fresh.id });
    expect(timeline.rows[0]!.segments).toEqual([{ from: timeline.from, to: NOW.getTime(), state: "unknown" }]);
    const flakyRow = (await getHealthTimeline(deps(), { range: "24h", nodeId: flaky.id })).rows[0]!;
    expect(flakyRow.segments).toEqual([
      { from: timeline.from, to: bucket.getTime(), state: "unknown" },
      { from: bucket.getTime(), to: bucket.getTime() + 15 * MIN, state: "degraded" },
      { from: bucket.getTime() + 15 * MIN, to: NOW.getTime(), state: "unknown" },
    ]);
  });
});
